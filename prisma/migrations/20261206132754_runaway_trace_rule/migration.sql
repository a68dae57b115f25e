-- AlterEnum
ALTER TYPE "AlertRuleType" ADD VALUE 'runaway_trace';
