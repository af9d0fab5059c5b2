-- CreateTable
CREATE TABLE "SendBucket" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "at" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "SendBucket_pkey" PRIMARY KEY ("key")
);
