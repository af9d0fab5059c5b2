-- AlterTable: why a request has its urgency (issue 11), each reason with its source.
ALTER TABLE "Request" ADD COLUMN "urgencyReasons" TEXT NOT NULL DEFAULT '[]';
