-- CreateTable
CREATE TABLE "RequestDailyStat" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "urgency" TEXT NOT NULL,
    "queueId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "kept" INTEGER NOT NULL,
    "lateContact" INTEGER NOT NULL,
    "overdue" INTEGER NOT NULL,
    "promisedMinutes" REAL NOT NULL,

    PRIMARY KEY ("regionCode", "day", "urgency", "queueId", "status")
);

-- CreateTable
CREATE TABLE "RequestDailyCategory" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    PRIMARY KEY ("regionCode", "day", "category")
);

-- CreateTable
CREATE TABLE "RequestDailyContact" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "urgency" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,

    PRIMARY KEY ("regionCode", "day", "urgency", "minutes")
);

-- CreateTable
CREATE TABLE "RequestDailyOperator" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "assigneeId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "open" INTEGER NOT NULL,
    "contacted" INTEGER NOT NULL,

    PRIMARY KEY ("regionCode", "day", "assigneeId")
);

-- CreateTable
CREATE TABLE "RequestDailyState" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "computedAt" DATETIME NOT NULL,
    "pendingUntil" DATETIME,

    PRIMARY KEY ("regionCode", "day")
);

-- CreateTable
CREATE TABLE "RequestStatsWatermark" (
    "regionCode" TEXT NOT NULL PRIMARY KEY,
    "offsetMinutes" INTEGER NOT NULL,
    "seenUpdatedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Request_regionCode_updatedAt_idx" ON "Request"("regionCode", "updatedAt");

