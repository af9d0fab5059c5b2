-- CreateTable
CREATE TABLE "PollCursor" (
    "channel" TEXT NOT NULL,
    "position" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PollCursor_pkey" PRIMARY KEY ("channel")
);

