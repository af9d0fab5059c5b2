-- CreateTable
CREATE TABLE "LoginFailure" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL,
    "startedAt" BIGINT NOT NULL,
    "lastAt" BIGINT NOT NULL
);

-- CreateIndex
CREATE INDEX "LoginFailure_lastAt_idx" ON "LoginFailure"("lastAt");
