-- AlterTable
ALTER TABLE "InboundUpdate" ADD COLUMN "chatKey" TEXT;

-- CreateIndex
CREATE INDEX "InboundUpdate_channel_chatKey_idx" ON "InboundUpdate"("channel", "chatKey");
