// A tiny HTTP load balancer in front of two ssehub nodes, for the two-node conformance run.
//
// The suite's page, its EventSource and its fetch() all share one origin, so the suite cannot
// be told to subscribe on one node and publish on another. This proxy does it instead: every
// GET (the page, subscriptions) goes to the first node and every other method (publishing) to
// the second, so each update the suite expects has to cross Redis. With --mode round-robin it
// alternates instead, request by request, like an ordinary balancer.
//
// Usage: node lb.mjs --listen PORT --nodes http://127.0.0.1:A,http://127.0.0.1:B [--mode split]
// Listens on 127.0.0.1 only. Streams responses through unbuffered (SSE) and closes the upstream
// request when the client goes away.
import http from "node:http";

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback === undefined) {
    console.error(`lb: missing ${name}`);
    process.exit(2);
  }
  return fallback;
}

const port = Number(arg("--listen"));
const nodes = arg("--nodes").split(",").map((u) => new URL(u));
const mode = arg("--mode", "split");
if (nodes.length !== 2 || !["split", "round-robin"].includes(mode)) {
  console.error("lb: --nodes takes two URLs, --mode split or round-robin");
  process.exit(2);
}

let next = 0;
function pick(method) {
  if (mode === "split") return method === "GET" || method === "HEAD" ? nodes[0] : nodes[1];
  next = (next + 1) % nodes.length;
  return nodes[next];
}

const server = http.createServer((req, res) => {
  const node = pick(req.method);
  const upstream = http.request(
    {
      host: node.hostname,
      port: node.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, "x-forwarded-for": req.socket.remoteAddress },
      agent: false,
    },
    (up) => {
      res.writeHead(up.statusCode, up.statusMessage, up.rawHeaders);
      res.flushHeaders();
      up.pipe(res);
    },
  );
  upstream.setNoDelay(true);
  upstream.on("error", (err) => {
    if (!res.headersSent) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`lb: node ${node.host} failed: ${err.message}\n`);
    } else {
      res.destroy();
    }
  });
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
  console.log(`${req.method} ${req.url} -> ${node.host}`);
});
server.listen(port, "127.0.0.1", () => console.log(`lb: listening on 127.0.0.1:${port}, mode ${mode}`));
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
