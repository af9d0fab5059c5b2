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
    "promisedMinutes" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "RequestDailyStat_pkey" PRIMARY KEY ("regionCode","day","urgency","queueId","status")
);

-- CreateTable
CREATE TABLE "RequestDailyCategory" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "RequestDailyCategory_pkey" PRIMARY KEY ("regionCode","day","category")
);

-- CreateTable
CREATE TABLE "RequestDailyContact" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "urgency" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "RequestDailyContact_pkey" PRIMARY KEY ("regionCode","day","urgency","minutes")
);

-- CreateTable
CREATE TABLE "RequestDailyOperator" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "assigneeId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "open" INTEGER NOT NULL,
    "contacted" INTEGER NOT NULL,

    CONSTRAINT "RequestDailyOperator_pkey" PRIMARY KEY ("regionCode","day","assigneeId")
);

-- CreateTable
CREATE TABLE "RequestDailyState" (
    "regionCode" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,
    "pendingUntil" TIMESTAMP(3),

    CONSTRAINT "RequestDailyState_pkey" PRIMARY KEY ("regionCode","day")
);

-- CreateTable
CREATE TABLE "RequestStatsWatermark" (
    "regionCode" TEXT NOT NULL,
    "offsetMinutes" INTEGER NOT NULL,
    "seenUpdatedAt" TIMESTAMP(3),

    CONSTRAINT "RequestStatsWatermark_pkey" PRIMARY KEY ("regionCode")
);

-- CreateIndex
CREATE INDEX "Request_regionCode_updatedAt_idx" ON "Request"("regionCode", "updatedAt");

