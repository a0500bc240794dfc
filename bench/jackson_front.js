// The bench's thin HTTP front for the peer, BoxyHQ SAML Jackson (installed by `make bench-peer`
// into a cache folder outside the repo; run with NODE_PATH pointing at its node_modules).
// Jackson's directory-sync controller takes SCIM requests as data; this routes
// /scim/v2/<directory>/Users[/<id>] and /Groups[/<id>] to it, and POST /directories makes a
// generic-scim-v2 directory, answering {"id", "token"}. Our own code, not Jackson's.
//
//   node bench/jackson_front.js <port> <sqlite file>
"use strict";

const http = require("node:http");
const jackson = require("@boxyhq/saml-jackson");

const [port, databaseFile] = process.argv.slice(2);
const ROUTE = /^\/scim\/v2\/([^/]+)\/(Users|Groups)(?:\/([^/?]+))?\/?$/;

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString()));
    request.on("error", reject);
  });
}

function answer(response, status, data) {
  const body = data === undefined || data === null ? "" : JSON.stringify(data);
  response.writeHead(status, {
    "Content-Type": "application/scim+json",
    "Content-Length": Buffer.byteLength(body),
  });
  response.end(body);
}

function scimQuery(searchParams) {
  const query = {};
  if (searchParams.has("filter")) query.filter = searchParams.get("filter");
  if (searchParams.has("count")) query.count = Number(searchParams.get("count"));
  if (searchParams.has("startIndex")) query.startIndex = Number(searchParams.get("startIndex"));
  return query;
}

async function newDirectory(controller, response) {
  const tenant = `bench-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  const { data, error } = await controller.directories.create({
    tenant,
    product: "bench",
    type: "generic-scim-v2",
  });
  if (error) return answer(response, 500, error);
  return answer(response, 201, { id: data.id, token: data.scim.secret });
}

async function route(controller, request, response) {
  const url = new URL(request.url, "http://127.0.0.1");
  if (request.method === "POST" && url.pathname === "/directories") {
    return newDirectory(controller, response);
  }
  const match = ROUTE.exec(url.pathname);
  if (!match) return answer(response, 404, { detail: "not found" });
  const text = await readBody(request);
  const authorization = request.headers.authorization || "";
  const { status, data } = await controller.requests.handle({
    method: request.method,
    body: text ? JSON.parse(text) : undefined,
    directoryId: match[1],
    resourceType: match[2].toLowerCase(),
    resourceId: match[3],
    apiSecret: authorization.startsWith("Bearer ") ? authorization.slice(7) : null,
    query: scimQuery(url.searchParams),
  });
  return answer(response, status, data);
}

async function main() {
  const { directorySyncController } = await jackson.controllers({
    externalUrl: `http://127.0.0.1:${port}`,
    samlPath: "/sso/acs",
    scimPath: "/scim/v2",
    // Jackson caps every list page and totalResults at pageLimit (default 50).
    db: { engine: "sql", type: "sqlite", url: databaseFile, pageLimit: 1_000_000 },
    noAnalytics: true,
  });
  const server = http.createServer((request, response) => {
    route(directorySyncController, request, response).catch((error) => {
      answer(response, 500, { detail: String(error && error.message) });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(port), "127.0.0.1", () => console.log(`listening on ${port}`));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
