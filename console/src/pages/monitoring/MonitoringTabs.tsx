import { Button, Group } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useConsolePath } from '../../components/Links';

/** The Monitoring page's two tabs; each is its own address. */
export function MonitoringTabs({ current }: { current: 'tools' | 'triggers' }) {
  const path = useConsolePath();
  return (
    <Group component="nav" aria-label="Monitoring tabs" gap={4} mb="md" pb={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
      {(['tools', 'triggers'] as const).map((tab) => (
        <Button key={tab} component={Link} to={path(`monitoring/${tab}`)} size="xs" variant={tab === current ? 'filled' : 'subtle'} aria-current={tab === current ? 'page' : undefined}>
          {tab === 'tools' ? 'Tools' : 'Triggers'}
        </Button>
      ))}
    </Group>
  );
}
