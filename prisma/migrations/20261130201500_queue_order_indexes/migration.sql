-- CreateIndex
CREATE INDEX "Request_queueId_status_dueAt_idx" ON "Request"("queueId", "status", "dueAt");

-- CreateIndex
CREATE INDEX "Request_regionCode_status_dueAt_idx" ON "Request"("regionCode", "status", "dueAt");

