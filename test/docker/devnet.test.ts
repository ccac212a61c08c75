/**
 * The compose devnet in real containers: builds (or reuses) the images, runs `docker/compose.yml`'s
 * genesis service and its 4 beacon nodes, and asserts through their REST APIs that the chain finalizes
 * and all 4 nodes agree on the finalized checkpoint and the head. Always tears the project down
 * (`down -v`), also on failure, timeout, SIGINT or SIGTERM.
 *
 * Skips, with the reason, where no container engine works (`podman info` / `docker info` fails) or no
 * compose tool is installed. `npm run test:docker`; environment: ENGINE (podman | docker),
 * BASE_IMAGE (docker/build-image.sh), DEVNET_SECONDS_PER_SLOT (1 here), DEVNET_GENESIS_DELAY (s),
 * DEVNET_FINALITY_TIMEOUT (s after genesis).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COMPOSE_FILE = "docker/compose.yml";
const PROJECT = "turnstile-devnet";
const NODES = 4;
/** Node i's REST API on the host (docker/compose.yml's port mappings). */
const API_PORT_0 = 5052;
const SECONDS_PER_SLOT = Number(process.env.DEVNET_SECONDS_PER_SLOT ?? 1);
/** From the genesis run until the chain starts: covers creating 4 containers on vfs storage. */
const GENESIS_DELAY_S = Number(process.env.DEVNET_GENESIS_DELAY ?? 15);
/** Finality (finalized epoch 2) comes at slot 32 of the minimal preset; generous beyond that. */
const FINALITY_TIMEOUT_S = Number(process.env.DEVNET_FINALITY_TIMEOUT ?? 32 * SECONDS_PER_SLOT + 120);
const BUILD_TIMEOUT_MS = 15 * 60_000;
const COMPOSE_TIMEOUT_MS = 5 * 60_000;
const POLL_INTERVAL_MS = 1_000;
const REQUEST_TIMEOUT_MS = 3_000;

interface Engine {
  engine: string;
  compose: string[];
  env: NodeJS.ProcessEnv;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runSync(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Outcome {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: "utf8" });
  return { code: r.error ? null : r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? r.error?.message ?? "" };
}

/** Runs a command to its end (or kills it after timeoutMs); stderr lines go to ours when `echo`. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, echo = false): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      if (echo) process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("error", (e) => {
      stderr += e.message;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The engine docker/engine.sh picks, with its settings, or why none can run the test. */
function detectEngine(): Engine | string {
  const has = (cmd: string) => runSync("sh", ["-c", `command -v ${cmd}`]).code === 0;
  const picked = runSync("bash", [
    "-c",
    '. docker/engine.sh && printf "%s\\n" "$ENGINE" "$CONTAINERS_CONF" "$CONTAINERS_STORAGE_CONF"',
  ]);
  const [engine, containersConf, storageConf] = picked.stdout.split("\n");
  if (picked.code !== 0 || !engine)
    return "no container engine: neither podman nor a working docker (`docker info`) is installed";
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (containersConf) env.CONTAINERS_CONF = containersConf;
  if (storageConf) env.CONTAINERS_STORAGE_CONF = storageConf;
  env.ENGINE = engine;
  const info = runSync(engine, ["info"], env);
  if (info.code !== 0) {
    const why = info.stderr.trim().split("\n").pop();
    return `\`${engine} info\` fails, the engine does not work here: ${why}`;
  }
  let compose: string[];
  if (engine === "podman") {
    if (!has("podman-compose")) return "podman-compose is not installed";
    // The nodes find node-0 by its service name: CNI needs the dnsname plugin for that (netavark has aardvark-dns)
    const backend = runSync(engine, ["info", "--format", "{{.Host.NetworkBackend}}"], env).stdout.trim();
    if (backend === "cni" && !existsSync("/usr/lib/cni/dnsname")) {
      return "podman's CNI network has no name resolution: install golang-github-containernetworking-plugin-dnsname";
    }
    compose = ["podman-compose"];
  } else {
    if (runSync("docker", ["compose", "version"]).code !== 0) return "docker compose is not installed";
    compose = ["docker", "compose"];
  }
  if (!env.BASE_IMAGE && !has("mmdebstrap")) {
    // Without mmdebstrap the local base cannot be built: the Dockerfile's public base (needs a registry)
    env.BASE_IMAGE = "node:24-bookworm-slim";
  }
  return { engine, compose: [...compose, "-p", PROJECT, "-f", COMPOSE_FILE], env };
}

async function getJson<T>(port: number, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return ((await res.json()) as { data: T }).data;
}

interface NodeView {
  finalizedEpoch: number;
  finalizedRoot: string;
  headSlot: number;
  headRoot: string;
  peers: number;
}

async function view(i: number): Promise<NodeView> {
  const port = API_PORT_0 + i;
  const [finality, head, peers] = await Promise.all([
    getJson<{ finalized: { epoch: string; root: string } }>(port, "/eth/v1/beacon/states/head/finality_checkpoints"),
    getJson<{ root: string; header: { message: { slot: string } } }>(port, "/eth/v1/beacon/headers/head"),
    getJson<{ connected: string }>(port, "/eth/v1/node/peer_count"),
  ]);
  return {
    finalizedEpoch: Number(finality.finalized.epoch),
    finalizedRoot: finality.finalized.root,
    headSlot: Number(head.header.message.slot),
    headRoot: head.root,
    peers: Number(peers.connected),
  };
}

/** All 4 nodes answer, have finalized an epoch > 0, and agree on the finalized checkpoint and the head. */
function agreed(views: (NodeView | null)[]): views is NodeView[] {
  if (views.some((v) => v === null)) return false;
  const [first, ...rest] = views as NodeView[];
  return (
    first.finalizedEpoch > 0 &&
    rest.every(
      (v) =>
        v.finalizedEpoch === first.finalizedEpoch &&
        v.finalizedRoot === first.finalizedRoot &&
        v.headRoot === first.headRoot,
    )
  );
}

const seconds = (fromMs: number) => Math.round((Date.now() - fromMs) / 100) / 10;
const detected = detectEngine();

describe("compose devnet in containers (docker/compose.yml)", () => {
  let engine: Engine | undefined;
  let up = false;
  const teardown = () => {
    if (!engine || !up) return;
    up = false;
    const start = Date.now();
    const r = runSync(engine.compose[0], [...engine.compose.slice(1), "down", "-v"], engine.env);
    // podman-compose 1.0.3 leaves the project's network, which would keep the DNS setting it was made with
    if (engine.engine === "podman") runSync(engine.engine, ["network", "rm", "-f", `${PROJECT}_default`], engine.env);
    console.log(`teardown (down -v): exit ${r.code} in ${seconds(start)} s`);
  };
  after(teardown);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      teardown();
      process.exit(130);
    });
  }

  it("4 nodes finalize and agree on the finalized checkpoint and the head", {
    skip: typeof detected === "string" ? detected : false,
    timeout: BUILD_TIMEOUT_MS + 2 * COMPOSE_TIMEOUT_MS + FINALITY_TIMEOUT_S * 1000 + GENESIS_DELAY_S * 1000,
  }, async () => {
    engine = detected as Engine;
    const compose = (args: string[], timeoutMs = COMPOSE_TIMEOUT_MS) =>
      run(engine!.compose[0], [...engine!.compose.slice(1), ...args], engine!.env, timeoutMs);
    const started = Date.now();

    // Images: reused when their inputs are unchanged
    const build = await run("docker/build-image.sh", [], engine.env, BUILD_TIMEOUT_MS, true);
    assert.equal(build.code, 0, `docker/build-image.sh failed:\n${build.stderr.slice(-3000)}`);
    const image = build.stdout.trim().split("\n").pop()!;
    const builtS = seconds(started);
    console.log(`image ${image} ready in ${builtS} s`);

    const env = {
      ...engine.env,
      TURNSTILE_IMAGE: image,
      DEVNET_SECONDS_PER_SLOT: String(SECONDS_PER_SLOT),
      DEVNET_GENESIS_DELAY: String(GENESIS_DELAY_S),
    };
    engine.env = env;
    up = true;
    // Leftovers of an interrupted run would keep the old chain
    await compose(["down", "-v"]);
    if (engine.engine === "podman")
      await run(engine.engine, ["network", "rm", "-f", `${PROJECT}_default`], env, 60_000);
    // podman-compose 1.0.3 ignores depends_on conditions: the genesis service runs to its end first
    const genesis = await compose(["run", "--rm", "--no-deps", "genesis"]);
    assert.equal(
      genesis.code,
      0,
      `genesis service failed:\n${genesis.stdout.slice(-2000)}${genesis.stderr.slice(-2000)}`,
    );
    const nodes = Array.from({ length: NODES }, (_, i) => `node-${i}`);
    const upRun = await compose(["up", "-d", "--no-build", ...nodes]);
    assert.equal(upRun.code, 0, `compose up failed:\n${upRun.stdout.slice(-2000)}${upRun.stderr.slice(-2000)}`);
    const upS = seconds(started);
    console.log(`genesis and ${NODES} nodes up in ${Math.round((upS - builtS) * 10) / 10} s`);

    // Poll until finality and agreement, or the timeout
    let genesisTimeMs: number | undefined;
    let views: (NodeView | null)[] = [];
    const deadline = Date.now() + (GENESIS_DELAY_S + FINALITY_TIMEOUT_S) * 1000;
    while (Date.now() < deadline) {
      views = await Promise.all(nodes.map((_, i) => view(i).catch(() => null)));
      if (genesisTimeMs === undefined) {
        genesisTimeMs = await getJson<{ genesis_time: string }>(API_PORT_0, "/eth/v1/beacon/genesis")
          .then((g) => Number(g.genesis_time) * 1000)
          .catch(() => undefined);
      }
      if (agreed(views)) break;
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
    const show = (vs: (NodeView | null)[]) =>
      vs
        .map((v, i) =>
          v
            ? `node-${i}: head ${v.headSlot} ${v.headRoot.slice(0, 10)} finalized ${v.finalizedEpoch} ${v.finalizedRoot.slice(0, 10)} peers ${v.peers}`
            : `node-${i}: no answer`,
        )
        .join("\n");
    if (!agreed(views)) {
      for (const n of nodes) {
        const logs = await compose(["logs", "--tail", "15", n], 30_000);
        console.log(`--- ${n} ---\n${logs.stdout}${logs.stderr}`);
      }
      assert.fail(`no finality with agreement within ${FINALITY_TIMEOUT_S} s after genesis:\n${show(views)}`);
    }
    const v = views as NodeView[];
    assert.ok(v[0].finalizedEpoch > 0);
    assert.ok(
      v.every((n) => n.peers > 0),
      `every node has peers:\n${show(v)}`,
    );
    const sinceGenesis = genesisTimeMs === undefined ? "?" : seconds(genesisTimeMs);
    console.log(
      [
        `finalized epoch ${v[0].finalizedEpoch} (${v[0].finalizedRoot.slice(0, 10)}) and head slot ${v[0].headSlot} agreed by all ${NODES} nodes`,
        `time: images ${builtS} s, genesis + up ${Math.round((upS - builtS) * 10) / 10} s, finality seen ${Math.round((seconds(started) - upS) * 10) / 10} s after up (${sinceGenesis} s after genesis, ${SECONDS_PER_SLOT}-s slots), ${seconds(started)} s in all before teardown`,
        show(v),
      ].join("\n"),
    );
  });
});
