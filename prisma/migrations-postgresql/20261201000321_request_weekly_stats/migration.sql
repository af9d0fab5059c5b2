-- CreateTable
CREATE TABLE "RequestWeeklyStat" (
    "regionCode" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "urgency" TEXT NOT NULL,
    "queueId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "kept" INTEGER NOT NULL,
    "lateContact" INTEGER NOT NULL,
    "overdue" INTEGER NOT NULL,
    "promisedMinutes" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "RequestWeeklyStat_pkey" PRIMARY KEY ("regionCode","week","urgency","queueId","status")
);

-- CreateTable
CREATE TABLE "RequestWeeklyContact" (
    "regionCode" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "urgency" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "RequestWeeklyContact_pkey" PRIMARY KEY ("regionCode","week","urgency","minutes")
);

-- CreateTable
CREATE TABLE "RequestWeeklyOperator" (
    "regionCode" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "assigneeId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "open" INTEGER NOT NULL,
    "contacted" INTEGER NOT NULL,

    CONSTRAINT "RequestWeeklyOperator_pkey" PRIMARY KEY ("regionCode","week","assigneeId")
);

-- CreateIndex
CREATE INDEX "RequestDailyStat_regionCode_day_urgency_n_idx" ON "RequestDailyStat"("regionCode", "day", "urgency", "n");


-- The weekly tables start empty: count the summary again from scratch at the next look.
DELETE FROM "RequestDailyState";
DELETE FROM "RequestStatsWatermark";
