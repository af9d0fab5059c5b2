-- CreateIndex
-- Covers every column the statistics read (src/requests/stats-repository.ts), so a period is
-- counted from the index alone, without visiting the rows (which hold personal data besides).
CREATE INDEX "Request_stats_idx" ON "Request"("regionCode", "createdAt", "isTest", "urgency", "queueId", "status", "assigneeId", "firstContactAt", "dueAt", "categories");
