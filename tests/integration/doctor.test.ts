import { tmpdir } from 'node:os';
import { describe, expect, inject, it } from 'vitest';
import { doctorCommand, type DoctorReport } from '@/server/cli/commands/doctor';
import { fakeIo } from '@/server/cli/test-io';

describe('deepboard doctor against a real database', () => {
  it('reports DATABASE_URL reachable with the server version and migration counts', async () => {
    const io = fakeIo(tmpdir());
    io.env = { NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl') };
    expect(await doctorCommand.run(['--json', '--seconds', '0'], io)).toBe(0);
    const report = JSON.parse(io.out) as DoctorReport;
    expect(report.database).toMatchObject({ source: 'DATABASE_URL', reachable: true, server: expect.stringMatching(/^PostgreSQL \d+/), migrations: { pending: 0 } });
    expect(report.database.migrations!.applied).toBeGreaterThan(0);
  });
});
