// Demo data: `npx deepboard db seed` (also run automatically on an installation's first start).
import { createPrismaClient } from '../lib/db/client';
import { seedDemo, DEMO } from '../server/services/seed';

const prisma = createPrismaClient();
const created = await seedDemo(prisma);
console.log(created ? `seeded "${DEMO.team.name}"` : `"${DEMO.team.name}" already exists`);
await prisma.$disconnect();
