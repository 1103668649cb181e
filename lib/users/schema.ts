// User input schemas, shared by the admin UI, its server actions, the CLI and tests. Client-safe.
import { z } from "zod";
import { tooLong } from "../limits/text";

export const ROLES = ["admin", "researcher", "annotator"] as const;
export const roleSchema = z.enum(ROLES, { message: `role must be one of: ${ROLES.join(", ")}` });
export type RoleName = z.infer<typeof roleSchema>;

export const PASSWORD_MIN = 10;

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, tooLong(254))
  .email("email must be an address like name@example.org");

export const createUserSchema = z
  .object({
    email: emailSchema,
    name: z.string().trim().min(1, "name must not be empty").max(120, tooLong(120)),
    password: z
      .string()
      .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
      .max(200, "password is too long (200 characters at most)"),
    role: roleSchema,
  })
  .strict();
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    id: z.string().min(1),
    role: roleSchema.optional(),
    active: z.boolean().optional(),
  })
  .strict();
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1).max(200) }).strict();
