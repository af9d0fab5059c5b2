-- AlterTable
ALTER TABLE "Request" ADD COLUMN "outcome" TEXT;
