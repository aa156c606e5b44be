import { mlflowGET, mlflowPOST } from '@/server/api/mlflow';

export const dynamic = 'force-dynamic';

/** The MLflow tracking REST API subset (server/api/mlflow.ts lists the endpoints). */
export const GET = mlflowGET;
export const POST = mlflowPOST;
