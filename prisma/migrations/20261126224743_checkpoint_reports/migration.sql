-- AlterTable
ALTER TABLE "Checkpoint" ADD COLUMN     "reports" JSONB;

