// `npm run user -- create --email E --password P --name N --role superadmin|regional_admin|operator
//   [--region 63] [--center key]…` — creates a staff account (the first superadmin, typically).
import { parseArgs } from "node:util";
import { createStaffUser } from "../auth/users.ts";
import { openCliDatabase } from "./cli-database.ts";

const USAGE =
  "usage: npm run user -- create --email E --password P --name N --role superadmin|regional_admin|operator [--region 63] [--center key]... [--locale ru|en]";

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== "create") {
    console.error(USAGE);
    return 2;
  }
  const options = {
    email: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    role: { type: "string" },
    region: { type: "string" },
    center: { type: "string", multiple: true },
    locale: { type: "string" },
  } as const;
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; strict: true }>>["values"];
  try {
    ({ values } = parseArgs({
      args: rest,
      options,
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  // PostgreSQL when DATABASE_URL is set, else DATABASE_FILE: the same database the service opens.
  const opened = await openCliDatabase(process.env);
  if (opened.type === "error") {
    console.error(opened.message);
    return 1;
  }
  const db = opened.db;
  try {
    const result = await createStaffUser(db, {
      email: values.email ?? "",
      password: values.password ?? "",
      name: values.name ?? "",
      role: (values.role ?? "") as "operator",
      regionCode: values.region,
      centerKeys: values.center ?? [],
      locale: (values.locale ?? "ru") as "ru",
    });
    switch (result.type) {
      case "created":
        // The password is never echoed back.
        console.log(`created ${values.role} ${values.email?.toLowerCase()} (id ${result.userId})`);
        return 0;
      case "exists":
        console.error(`a user with email ${values.email} already exists`);
        return 1;
      case "invalid":
        console.error(`${result.message}\n${USAGE}`);
        return 2;
      case "unknown_region":
        console.error(`unknown region ${result.regionCode}`);
        return 1;
      case "unknown_center":
        console.error(`unknown center key ${result.centerKey}`);
        return 1;
    }
  } finally {
    await db.$disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`user: ${(err as Error).message}`);
    process.exit(1);
  },
);
