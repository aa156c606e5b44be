import { describe, expect, it } from 'vitest';
import { SETTINGS, SettingsError, numericSettings, parseSetting, resetEnv, settingsFrom, settingsTable, validateEnv } from './env';

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as SettingsError).message;
  }
  throw new Error('expected a SettingsError');
}

describe('integer settings', () => {
  it('takes whole numbers in range and the default when unset', () => {
    expect(parseSetting('DEEPBOARD_MAX_UPLOAD_MB', undefined)).toBe(512);
    expect(parseSetting('DEEPBOARD_MAX_UPLOAD_MB', '1')).toBe(1);
    expect(parseSetting('DEEPBOARD_MAX_UPLOAD_MB', '102400')).toBe(102400);
    expect(parseSetting('DEEPBOARD_MAX_UPLOAD_MB', '0512')).toBe(512);
    expect(parseSetting('DEEPBOARD_WEB_PROCESSES', undefined)).toBeUndefined();
  });

  it.each(['512MB', '4mb', 'abc', '-1', '0', '1e400', '', ' 5', '5 ', '1.5', '+5', '0x10', '102401', '99999999999999999999', 'Infinity', 'NaN'])(
    'rejects %j naming the variable and the range',
    (raw) => {
      const message = problem(() => parseSetting('DEEPBOARD_MAX_UPLOAD_MB', raw));
      expect(message).toMatch(/^DEEPBOARD_MAX_UPLOAD_MB=/);
      expect(message).toContain('expected a whole number of megabytes between 1 and 102400');
      expect(message).not.toContain('\n');
    },
  );

  it('quotes the bad value as given (the example of the issue)', () => {
    expect(problem(() => parseSetting('DEEPBOARD_MAX_UPLOAD_MB', '512MB'))).toBe('DEEPBOARD_MAX_UPLOAD_MB=512MB: expected a whole number of megabytes between 1 and 102400');
    expect(problem(() => parseSetting('DEEPBOARD_MAX_BODY_MB', '4mb'))).toBe('DEEPBOARD_MAX_BODY_MB=4mb: expected a whole number of megabytes between 1 and 1024');
    expect(problem(() => parseSetting('DEEPBOARD_MAX_BODY_MB', ''))).toBe('DEEPBOARD_MAX_BODY_MB=(empty): expected a whole number of megabytes between 1 and 1024');
    expect(problem(() => parseSetting('DEEPBOARD_HEARTBEAT_MS', '5\n0'))).toBe('DEEPBOARD_HEARTBEAT_MS=5\\u000a0: expected a whole number of milliseconds between 100 and 600000');
  });

  it('every numeric setting accepts its bounds and rejects one past them', () => {
    expect(numericSettings().length).toBeGreaterThanOrEqual(10);
    for (const { name, min, max } of numericSettings()) {
      expect(parseSetting(name, String(min))).toBe(min);
      expect(parseSetting(name, String(max))).toBe(max);
      expect(() => parseSetting(name, String(max + 1))).toThrow(SettingsError);
      if (min > 0) expect(() => parseSetting(name, String(min - 1))).toThrow(SettingsError);
    }
  });
});

describe('ports', () => {
  it('takes 1 to 65535', () => {
    expect(parseSetting('PORT', undefined)).toBe(3000);
    expect(parseSetting('PORT', '65535')).toBe(65535);
    expect(parseSetting('DEEPBOARD_PG_PORT', undefined)).toBe(54329);
    expect(problem(() => parseSetting('PORT', '0'))).toBe('PORT=0: expected a port number between 1 and 65535');
    expect(problem(() => parseSetting('DEEPBOARD_PG_PORT', '65536'))).toBe('DEEPBOARD_PG_PORT=65536: expected a port number between 1 and 65535');
  });
});

describe('flags', () => {
  it('reads on/off words in any case, unset or empty as the default', () => {
    for (const on of ['1', 'true', 'ON', 'Yes']) expect(parseSetting('DEEPBOARD_WEBGPU', on)).toBe(true);
    for (const off of ['0', 'false', 'Off', 'no']) expect(parseSetting('DEEPBOARD_WEBGPU', off)).toBe(false);
    expect(parseSetting('DEEPBOARD_WEBGPU', undefined)).toBe(true);
    expect(parseSetting('DEEPBOARD_SEARCH_CACHE', undefined)).toBe(false);
    expect(parseSetting('DEEPBOARD_DEBUG', '')).toBe(false);
    expect(problem(() => parseSetting('DEEPBOARD_SEED', 'maybe'))).toBe('DEEPBOARD_SEED=maybe: expected 1 or 0 (also on/off, true/false, yes/no)');
  });
});

describe('enums, URLs and text', () => {
  it('DEEPBOARD_BACKEND is auto or a backend name', () => {
    expect(parseSetting('DEEPBOARD_BACKEND', undefined)).toBe('auto');
    expect(parseSetting('DEEPBOARD_BACKEND', 'WASM')).toBe('wasm');
    expect(problem(() => parseSetting('DEEPBOARD_BACKEND', 'cuda'))).toBe('DEEPBOARD_BACKEND=cuda: expected one of auto, node-gpu, webgpu, node, wasm, cpu');
  });

  it('URLs need their scheme; secrets are not repeated', () => {
    expect(parseSetting('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/postgres')).toBe('postgresql://postgres@127.0.0.1:5432/postgres');
    expect(parseSetting('DATABASE_URL', '')).toBeUndefined();
    expect(parseSetting('AUTH_URL', 'https://deepboard.example.org')).toBe('https://deepboard.example.org');
    expect(problem(() => parseSetting('AUTH_URL', 'deepboard.example.org'))).toBe('AUTH_URL=deepboard.example.org: expected a http:// or https:// URL');
    const secret = problem(() => parseSetting('DATABASE_URL', 'mysql://root:hunter2@db/x'));
    expect(secret).toBe('DATABASE_URL: expected a postgresql:// or postgres:// URL (value not shown)');
    expect(problem(() => parseSetting('SMTP_URL', 'http://user:pw@mail'))).not.toContain('pw');
  });

  it('text defaults apply when unset or empty', () => {
    expect(parseSetting('DEEPBOARD_DATA_DIR', undefined)).toBe('.deepboard');
    expect(parseSetting('DEEPBOARD_DATA_DIR', '')).toBe('.deepboard');
    expect(parseSetting('DEEPBOARD_TEAM', '')).toBeUndefined();
    expect(parseSetting('SMTP_FROM', undefined)).toBe('Deepboard <deepboard@localhost>');
  });
});

describe('validateEnv and settingsFrom', () => {
  it('defaults for an empty environment', () => {
    const s = validateEnv({});
    expect(s.DEEPBOARD_MAX_UPLOAD_MB).toBe(512);
    expect(s.INVITATION_TTL_HOURS).toBe(168);
    expect(s.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable in one line', () => {
    const message = problem(() => validateEnv({ DEEPBOARD_MAX_UPLOAD_MB: '512MB', DEEPBOARD_MAX_BODY_MB: '4mb', PORT: '3000' }));
    expect(message).toBe(
      'DEEPBOARD_MAX_BODY_MB=4mb: expected a whole number of megabytes between 1 and 1024; DEEPBOARD_MAX_UPLOAD_MB=512MB: expected a whole number of megabytes between 1 and 102400',
    );
  });

  it('reads a variable again when its value changes', () => {
    const source: Record<string, string | undefined> = { DEEPBOARD_SEARCH_CACHE: '1' };
    const s = settingsFrom(source);
    expect(s.DEEPBOARD_SEARCH_CACHE).toBe(true);
    source.DEEPBOARD_SEARCH_CACHE = '0';
    expect(s.DEEPBOARD_SEARCH_CACHE).toBe(false);
    source.DEEPBOARD_RUN_STALE_MS = 'soon';
    expect(() => s.DEEPBOARD_RUN_STALE_MS).toThrow('DEEPBOARD_RUN_STALE_MS=soon');
    resetEnv(source);
    expect(settingsFrom(source) === s).toBe(false);
  });

  it('declares every setting with a description and the table lists them all', () => {
    const table = settingsTable();
    for (const [name, s] of Object.entries(SETTINGS)) {
      expect(s.description.length, name).toBeGreaterThan(10);
      expect(table).toContain(`| \`${name}\` |`);
    }
  });
});
