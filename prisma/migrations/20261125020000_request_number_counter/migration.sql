-- CreateTable
CREATE TABLE "RequestNumberCounter" (
    "regionCode" TEXT NOT NULL PRIMARY KEY,
    "last" INTEGER NOT NULL
);

-- Carry on from the numbers already given out.
INSERT INTO "RequestNumberCounter" ("regionCode", "last")
SELECT "regionCode", MAX(CAST(substr("number", length("regionCode") + 2) AS INTEGER))
FROM "Request"
GROUP BY "regionCode";
