/** The report step of the pipeline; the report itself is shared with external runs (lib/fairness/run-report.ts). */
export { fairnessReport, positiveScores, type FairnessReportData, type FairnessRunReport } from '@/lib/fairness/run-report';
