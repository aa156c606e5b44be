'use client';

import { Field, Select } from '../ui';
import type { useRunPins } from './use-run-pins';

/** The architecture and (unless the run is reinforcement learning) dataset pickers of a run or sweep form. */
export function PinFields({ pins, idPrefix }: { pins: ReturnType<typeof useRunPins>; idPrefix: string }) {
  const { archs, datasets, architectureId, setArchitectureId, datasetId, setDatasetId, paradigm } = pins;
  return (
    <>
      <Field label="Architecture" htmlFor={`${idPrefix}-arch`}>
        <Select id={`${idPrefix}-arch`} className="w-full" value={architectureId} onChange={(e) => setArchitectureId(e.target.value)}>
          {(archs.data ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} (v{a.latestVersion}, {a.kind}, {a.totalParams.toLocaleString()} params)
            </option>
          ))}
        </Select>
      </Field>
      {paradigm !== 'reinforcement' ? (
        <Field label="Dataset" htmlFor={`${idPrefix}-dataset`}>
          <Select id={`${idPrefix}-dataset`} className="w-full" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            <option value="">—</option>
            {(datasets.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} (v{d.latestVersion}, {d.kind}, {d.rowCount.toLocaleString()} rows)
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
    </>
  );
}
