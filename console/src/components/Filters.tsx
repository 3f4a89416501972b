import { useEffect, useState, type ReactNode } from 'react';
import { Group, MultiSelect, Paper, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useUrlState } from '../hooks/useUrlState';
import { isoToLocalInput, localInputToIso } from '../lib/time';

/** The row of filters above a list; every filter lives in the URL. */
export function FilterBar({ children, label }: { children: ReactNode; label: string }) {
  return (
    <Paper withBorder p="sm" mb="md" component="form" role="search" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      <Group align="flex-end" gap="sm" wrap="wrap">
        {children}
      </Group>
    </Paper>
  );
}

/** A free-text filter: applied half a second after typing stops, or at once on Enter. */
export function TextFilter({ name, label, placeholder, width = 180 }: { name: string; label: string; placeholder?: string; width?: number }) {
  const { get, set } = useUrlState();
  const inUrl = get(name) ?? '';
  const [value, setValue] = useState(inUrl);
  useEffect(() => {
    setValue((current) => (current.trim() === inUrl ? current : inUrl));
  }, [inUrl]);
  const commit = useDebouncedCallback((text: string) => set({ [name]: text.trim() }), 500);
  return (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={value}
      w={width}
      size="xs"
      name={name}
      onChange={(e) => {
        setValue(e.currentTarget.value);
        commit(e.currentTarget.value);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit.flush();
      }}
      onBlur={() => commit.flush()}
    />
  );
}

/** A choice of several values, sent comma-separated as the API takes them. */
export function MultiFilter({ name, label, values, width = 200 }: { name: string; label: string; values: readonly string[]; width?: number }) {
  const { get, set } = useUrlState();
  const selected = (get(name) ?? '').split(',').filter(Boolean);
  return (
    <MultiSelect
      label={label}
      data={[...values]}
      value={selected}
      onChange={(next) => set({ [name]: next.join(',') })}
      placeholder={selected.length ? undefined : 'Any'}
      clearable
      w={width}
      size="xs"
      comboboxProps={{ withinPortal: true }}
      name={name}
    />
  );
}

export function SelectFilter({ name, label, options, fallback, width = 140 }: { name: string; label: string; options: ReadonlyArray<{ value: string; label: string }>; fallback: string; width?: number }) {
  const { get, set } = useUrlState();
  return (
    <Select
      label={label}
      data={options.map((o) => ({ ...o }))}
      value={get(name) ?? fallback}
      onChange={(value) => set({ [name]: value === fallback ? undefined : value })}
      allowDeselect={false}
      w={width}
      size="xs"
      name={name}
    />
  );
}

/** A date range, entered in the browser's zone, kept in the URL as UTC. */
export function DateRangeFilter({ fromName = 'from', toName = 'to', label = 'Date' }: { fromName?: string; toName?: string; label?: string }) {
  const { get, set } = useUrlState();
  return (
    <>
      <TextInput
        type="datetime-local"
        label={`${label} from`}
        size="xs"
        w={190}
        value={isoToLocalInput(get(fromName))}
        onChange={(e) => set({ [fromName]: localInputToIso(e.currentTarget.value) })}
        name={fromName}
      />
      <TextInput
        type="datetime-local"
        label={`${label} to`}
        size="xs"
        w={190}
        value={isoToLocalInput(get(toName))}
        onChange={(e) => set({ [toName]: localInputToIso(e.currentTarget.value) })}
        name={toName}
      />
    </>
  );
}
