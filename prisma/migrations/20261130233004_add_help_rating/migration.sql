-- CreateTable
CREATE TABLE "HelpRating" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "regionCode" TEXT NOT NULL,
    "centerId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "rating" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "HelpRatingToken" (
    "token" TEXT NOT NULL PRIMARY KEY,
    "regionCode" TEXT NOT NULL,
    "centerId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "HelpRating_regionCode_day_idx" ON "HelpRating"("regionCode", "day");

