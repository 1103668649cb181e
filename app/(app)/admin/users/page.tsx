import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { requirePage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listUsers } from "@/lib/users/data";
import { CreateUserForm } from "./_components/create-user-form";
import { UsersTable } from "./_components/users-table";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const me = await requirePage("/admin/users");
  const users = await listUsers(await getDb());
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Users</h1>
        <p className="text-sm text-slate-600">
          Admins manage users and roles. Researchers read results and run judges; annotators label and adjudicate what they are
          assigned. Every change is recorded in the audit log.
        </p>
      </div>
      <UsersTable users={users.map((u) => ({ ...u, createdAt: u.createdAt.toISOString() }))} currentUserId={me.id} />
      <Card title="Add a user">
        <CreateUserForm />
      </Card>
    </div>
  );
}
