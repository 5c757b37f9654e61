// A frontend's first hour with the contract: types from openapi-typescript (default options),
// calls through openapi-fetch, compiled with tsc --strict, run against a live demo server.
// Every step checks what it got and exits non-zero naming the step that failed.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];
type UnitRead = components["schemas"]["UnitRead"];

const baseUrl = process.env.BDTX_URL ?? "http://127.0.0.1:8000";
const password = process.env.BDTX_DEMO_PASSWORD ?? "bdtx-demo-2024";
const client = createClient<paths>({ baseUrl });

function check(ok: boolean, step: string, detail?: unknown): asserts ok {
  if (!ok) {
    console.error(`FAIL ${step}`, detail ?? "");
    process.exit(1);
  }
}

function say(step: string, what: string): void {
  console.log(`ok   ${step}: ${what}`);
}

// 1. Log in with the OAuth2 password form; every later call carries the bearer token.
async function login(username: string): Promise<void> {
  const form: components["schemas"]["Body_auth-token"] = { username, password };
  const { data, error } = await client.POST("/api/v1/auth/token", {
    body: form,
    bodySerializer: (body) =>
      new URLSearchParams({ username: body.username, password: body.password }),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  check(data !== undefined, "login", error);
  const token = data.access_token;
  const bearer: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);
  say("login", `${username}, token ${data.token_type}`);
}

async function wardId(): Promise<number> {
  const { data, error } = await client.GET("/api/v1/units", {
    params: { query: { external_code: "PHUONG-DX" } },
  });
  const ward = data?.items[0];
  check(ward !== undefined, "find the ward", error);
  return ward.id;
}

// 2. Create a school twice with one Idempotency-Key: the second answer is the first, replayed.
async function idempotentCreate(parent: number): Promise<UnitRead> {
  const key = `smoke-${Date.now()}`;
  const body: components["schemas"]["UnitCreate"] = {
    external_code: key.toUpperCase(),
    name: "Trường THCS Tân Phú 3",
    kind: "school",
    education_levels: ["lower_secondary"],
    parent_id: parent,
  };
  const send = () =>
    client.POST("/api/v1/units", { body, params: { header: { "Idempotency-Key": key } } });
  const first = await send();
  const again = await send();
  check(first.data !== undefined && first.response.status === 201, "create", first.error);
  check(again.data?.id === first.data.id, "replay gives the same unit", again.data);
  check(again.response.headers.get("Idempotent-Replayed") === "true", "Idempotent-Replayed");
  say("idempotent create", `unit ${first.data.id}, replayed on the second call`);
  return first.data;
}

// 3. Page through the staff list to the end, following next_cursor.
async function pageToTheEnd(): Promise<void> {
  const seen = new Set<number>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: { limit: number; cursor?: string } = cursor ? { limit: 7, cursor } : { limit: 7 };
    const { data, error } = await client.GET("/api/v1/staff", { params: { query } });
    check(data !== undefined, "page", error);
    for (const person of data.items) {
      check(!seen.has(person.id), "no staff member twice", person.id);
      seen.add(person.id);
    }
    cursor = data.next_cursor;
    pages += 1;
  } while (cursor !== null);
  check(seen.size > 7, "more than one page of staff", seen.size);
  say("paging", `${seen.size} staff in ${pages} pages`);
}

// 4. Update with If-Match from the declared ETag; a stale ETag is a typed 412 problem.
async function updateWithEtag(unit: UnitRead): Promise<void> {
  const path = { unit_id: unit.id };
  const read = await client.GET("/api/v1/units/{unit_id}", { params: { path } });
  const etag = read.response.headers.get("ETag");
  check(etag !== null, "ETag on read", read.response.status);
  const patch = (ifMatch: string) =>
    client.PATCH("/api/v1/units/{unit_id}", {
      params: { path, header: { "If-Match": ifMatch } },
      body: { name: "Trường THCS Tân Phú 3 (đổi tên)" },
    });
  const updated = await patch(etag);
  check(updated.data?.version === unit.version + 1, "PATCH with If-Match", updated.error);
  const stale = await patch(etag);
  const problem: Problem | undefined = stale.error;
  check(problem?.status === 412, "stale ETag is 412", problem);
  check(problem.code === "precondition_failed", "problem code", problem.code);
  say("If-Match", `version ${updated.data.version}; stale ETag → ${problem.code}: ${problem.detail}`);
}

// 5. A missing object is a typed problem too.
async function readProblem(): Promise<void> {
  const { error, response } = await client.GET("/api/v1/staff/{staff_id}", {
    params: { path: { staff_id: 2147483647 } },
  });
  check(response.status === 404 && error !== undefined, "404", response.status);
  check(error.type.endsWith(`/problems/${error.code}`), "problem type names its code", error);
  say("problem", `${error.status} ${error.code}: ${error.detail}`);
}

await login("admin");
const unit = await idempotentCreate(await wardId());
await pageToTheEnd();
await updateWithEtag(unit);
await readProblem();
console.log("smoke client: every step passed");
