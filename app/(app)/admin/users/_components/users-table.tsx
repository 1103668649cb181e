"use client";
import { useMemo, useState, useTransition } from "react";
import { columnHelper, DataTable } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { updateUserAction } from "@/lib/users/actions";
import { ROLES, type RoleName } from "@/lib/users/schema";

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: RoleName;
  active: boolean;
  createdAt: string;
}

export function UsersTable({ users, currentUserId }: { users: UserRow[]; currentUserId: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const columns = useMemo(() => {
    const update = (input: { id: string; role?: RoleName; active?: boolean }) =>
      startTransition(async () => {
        const res = await updateUserAction(input);
        setError(res.ok ? null : res.error);
      });
    const c = columnHelper<UserRow>();
    return c.columns([
      c.accessor("name", { header: "Name" }),
      c.accessor("email", { header: "Email" }),
      c.accessor("role", {
        header: "Role",
        cell: (cell) => {
          const u = cell.row.original;
          return (
            <select
              aria-label={`Role of ${u.email}`}
              value={u.role}
              disabled={pending || u.id === currentUserId}
              onChange={(e) => update({ id: u.id, role: e.target.value as RoleName })}
              className="rounded border border-slate-300 bg-white px-2 py-1"
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          );
        },
      }),
      c.accessor("active", {
        header: "Status",
        cell: (cell) => {
          const u = cell.row.original;
          return (
            <div className="flex items-center gap-2">
              <Badge tone={u.active ? "green" : "slate"}>{u.active ? "active" : "deactivated"}</Badge>
              {u.id === currentUserId ? null : (
                <Button variant="secondary" disabled={pending} onClick={() => update({ id: u.id, active: !u.active })}>
                  {u.active ? "Deactivate" : "Reactivate"}
                </Button>
              )}
            </div>
          );
        },
      }),
    ]);
  }, [currentUserId, pending]);

  return (
    <div className="space-y-2">
      {error ? (
        <p role="alert" data-testid="form-error" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <DataTable columns={columns} data={users} getRowId={(u) => u.id} testId="users-table" caption="Users" />
    </div>
  );
}
