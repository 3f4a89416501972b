import { createTheme } from '@mantine/core';

/**
 * Mantine's defaults with the system font stack (no web fonts: the console
 * loads nothing from elsewhere) and text colors dark enough for WCAG AA.
 */
export const theme = createTheme({
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  primaryColor: 'blue',
  primaryShade: { light: 9, dark: 4 },
  defaultRadius: 'sm',
});
