-- AlterTable
ALTER TABLE "Region" ADD COLUMN "holidays" TEXT;
