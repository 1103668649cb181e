"use client";
import { useState, useTransition, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { createUserAction } from "@/lib/users/actions";
import { PASSWORD_MIN, ROLES } from "@/lib/users/schema";

export function CreateUserForm() {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, startTransition] = useTransition();

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const input = Object.fromEntries(["email", "name", "password", "role"].map((k) => [k, String(form.get(k) ?? "")]));
    startTransition(async () => {
      const res = await createUserAction(input);
      if (res.ok) {
        setMessage({ ok: true, text: `Created ${input.email}.` });
        formEl.reset();
      } else setMessage({ ok: false, text: res.error });
    });
  }

  const field = "mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5";
  return (
    <form onSubmit={onSubmit} className="grid gap-3 md:grid-cols-5 md:items-end">
      <label className="text-sm font-medium">
        Name
        <input name="name" required className={field} />
      </label>
      <label className="text-sm font-medium">
        Email
        <input name="email" type="email" required className={field} />
      </label>
      <label className="text-sm font-medium">
        Password
        <input name="password" type="password" required minLength={PASSWORD_MIN} autoComplete="new-password" className={field} />
      </label>
      <label className="text-sm font-medium">
        Role
        <select name="role" defaultValue="annotator" className={field}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <Button type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add user"}
      </Button>
      {message ? (
        <p role={message.ok ? "status" : "alert"} data-testid={message.ok ? "form-status" : "form-error"} className={`text-sm md:col-span-5 ${message.ok ? "text-green-800" : "text-red-700"}`}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
