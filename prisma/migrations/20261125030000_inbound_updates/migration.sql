-- CreateTable
CREATE TABLE "InboundUpdate" (
    "channel" TEXT NOT NULL,
    "updateKey" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "replays" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("channel", "updateKey")
);

