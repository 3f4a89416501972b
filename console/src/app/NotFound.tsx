import { Alert, Anchor, Container } from '@mantine/core';
import { Link, useRouteError } from 'react-router-dom';

/** An address that is no page; `standalone` outside the frame of a project's views (which has its own main). */
export function NotFound({ standalone = false }: { standalone?: boolean }) {
  const alert = (
    <Alert title="No such page" color="gray">
      This address is not a page of the console. <Anchor component={Link} to="/">Go to the start</Anchor>.
    </Alert>
  );
  return <Container size="sm" py="xl">{standalone ? <main>{alert}</main> : alert}</Container>;
}

export function RouteError() {
  const error = useRouteError() as Error | undefined;
  return (
    <Container size="sm" py="xl">
      <main>
        <Alert title="The console failed to show this page" color="red" role="alert">
          {error?.message ?? 'unknown error'} — <Anchor component={Link} to="/">go to the start</Anchor>, or reload.
        </Alert>
      </main>
    </Container>
  );
}
