-- CreateTable
CREATE TABLE "HelpRating" (
    "id" TEXT NOT NULL,
    "regionCode" TEXT NOT NULL,
    "centerId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "rating" INTEGER NOT NULL,

    CONSTRAINT "HelpRating_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HelpRatingToken" (
    "token" TEXT NOT NULL,
    "regionCode" TEXT NOT NULL,
    "centerId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HelpRatingToken_pkey" PRIMARY KEY ("token")
);

-- CreateIndex
CREATE INDEX "HelpRating_regionCode_day_idx" ON "HelpRating"("regionCode", "day");

