import { z } from 'zod';

export const projectIdParam = z.uuid({ message: 'must be a project id (a UUID)' });

export const traceParams = z.object({
  projectId: projectIdParam,
  traceId: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, { message: 'must be 32 hex characters' })
    .refine((id) => !/^0+$/.test(id), { message: 'must not be all zeros' })
    .transform((id) => id.toLowerCase()),
});

const name = z.string().trim().min(1, { message: 'is required' }).max(200, { message: 'must be at most 200 characters' });

export const createProjectBody = z.object({ name });
export const createKeyBody = z.object({ name });
export const projectParams = z.object({ projectId: projectIdParam });
export const keyParams = z.object({ projectId: projectIdParam, keyId: z.uuid({ message: 'must be a key id (a UUID)' }) });
