-- CreateTable
CREATE TABLE "PollCursor" (
    "channel" TEXT NOT NULL PRIMARY KEY,
    "position" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
