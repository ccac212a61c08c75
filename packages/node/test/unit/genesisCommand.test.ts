import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CachedBeaconState, createChainContext, parseChainConfigYaml } from "@turnstile/ticket-state";
import { parse as parseYaml } from "yaml";
import { loadOrCreateNodeKey, peerIdOf } from "../../src/network/nodeKey.ts";

const CLI = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));
const DOCKER = fileURLToPath(new URL("../../../../docker/", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The parts of a compose file the test reads. */
interface ComposeFile {
  services: Record<
    string,
    { entrypoint: string[]; command: string[]; volumes: string[]; depends_on?: Record<string, { condition: string }> }
  >;
  volumes: Record<string, unknown>;
}

/** Run the CLI as a user (or the container) would. */
async function turnstile(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--conditions=source", CLI, ...args], {
    timeout: 30_000,
  });
  return stdout;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-genesis-"));
  dirs.push(dir);
  return dir;
}

/** Check what `turnstile genesis` wrote; returns the node peer ids. */
async function checkOutput(
  out: string,
  want: {
    validators: number;
    buyers: number;
    secondsPerSlot: number;
    nodes: number;
    host: (i: number) => string;
    port: number;
  },
): Promise<string[]> {
  const config = parseChainConfigYaml(readFileSync(join(out, "config.yaml"), "utf8"));
  assert.equal(config.SECONDS_PER_SLOT, want.secondsPerSlot);
  const genesis = CachedBeaconState.fromBytes(createChainContext(config), readFileSync(join(out, "genesis.ssz")));
  assert.equal(genesis.state.validators.length, want.validators);
  assert.equal(genesis.state.buyers.length, want.buyers);
  assert.equal(genesis.state.slot, 0);
  const peerIds: string[] = [];
  for (let i = 0; i < want.nodes; i++)
    peerIds.push(peerIdOf(await loadOrCreateNodeKey(join(out, `node-${i}`, "node-key"))));
  assert.equal(new Set(peerIds).size, want.nodes, "peer ids are distinct");
  const bootnodes = readFileSync(join(out, "bootnodes.txt"), "utf8").trimEnd().split("\n");
  assert.deepEqual(
    bootnodes,
    peerIds.map((id, i) => `${want.host(i)}/tcp/${want.port + i}/p2p/${id}`),
  );
  return peerIds;
}

describe("turnstile genesis", () => {
  it("writes genesis.ssz, config.yaml, node keys and bootnodes.txt; --if-missing keeps them", async () => {
    const out = join(tempDir(), "net");
    const before = Math.floor(Date.now() / 1000);
    const args = ["genesis", "--out", out, "--nodes", "3", "--validators", "8", "--buyers", "2"];
    await turnstile([...args, "--seconds-per-slot", "3", "--genesis-delay", "60", "--p2p-port", "9100"]);
    const want = { validators: 8, buyers: 2, secondsPerSlot: 3, nodes: 3, port: 9100, host: () => "/ip4/127.0.0.1" };
    const peerIds = await checkOutput(out, want);
    const genesisBytes = readFileSync(join(out, "genesis.ssz"));
    const config = parseChainConfigYaml(readFileSync(join(out, "config.yaml"), "utf8"));
    const genesisTime = CachedBeaconState.fromBytes(createChainContext(config), genesisBytes).state.genesis_time;
    assert.ok(
      genesisTime >= before + 60 && genesisTime <= Math.ceil(Date.now() / 1000) + 60,
      `genesis time ${genesisTime}`,
    );

    // A restart: same chain, same identities; the bootnode hosts can change
    await turnstile([...args, "--if-missing", "--host-pattern", "node-{i}", "--p2p-port", "9100"]);
    assert.deepEqual(readFileSync(join(out, "genesis.ssz")), genesisBytes);
    assert.deepEqual(await checkOutput(out, { ...want, host: (i) => `/dns4/node-${i}` }), peerIds);
  });

  it("docker/compose.yml: the genesis service's output is what every beacon service reads", async () => {
    // Compose's interpolation with the variables unset: ${VAR:-default} is the default
    const text = readFileSync(join(DOCKER, "compose.yml"), "utf8").replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1");
    const compose = parseYaml(text, { merge: true }) as ComposeFile;
    const services = compose.services;
    const genesis = services.genesis;
    assert.deepEqual(genesis.entrypoint, ["node", "--conditions=source", "packages/node/src/cli/index.ts", "genesis"]);
    const flag = (name: string) =>
      (genesis.command as string[]).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const [volume, mountPath] = (genesis.volumes[0] as string).split(":");
    assert.ok(volume in compose.volumes, "a named volume");
    const out = flag("out")!;
    assert.ok(out === mountPath || out.startsWith(`${mountPath}/`), "genesis writes into the shared volume");
    const nodes = Number(flag("nodes"));
    const validators = Number(flag("validators"));
    const buyers = Number(flag("buyers"));
    const p2pPort = Number(flag("p2p-port"));
    const hostPattern = flag("host-pattern")!;

    // The container's genesis command, run here with the output redirected
    const dir = tempDir();
    await turnstile([
      "genesis",
      ...(genesis.command as string[]).filter((a) => !a.startsWith("--out=")),
      `--out=${dir}`,
    ]);
    await checkOutput(dir, {
      validators,
      buyers,
      secondsPerSlot: Number(flag("seconds-per-slot")),
      nodes,
      port: p2pPort,
      host: (i) => `/dns4/${hostPattern.replace("{i}", String(i))}`,
    });

    const beaconHelp = await turnstile(["beacon", "--help"]);
    const dockerfile = readFileSync(join(DOCKER, "Dockerfile"), "utf8");
    const entrypoint = /^ENTRYPOINT (.*)$/m.exec(dockerfile)?.[1];
    assert.deepEqual(JSON.parse(entrypoint!), [
      "node",
      "--conditions=source",
      "packages/node/src/cli/index.ts",
      "beacon",
    ]);
    const validatorsRun: number[] = [];
    const buyersRun: number[] = [];
    const range = (r: string) => {
      const [from, to = from] = r.split("-").map(Number);
      return Array.from({ length: to - from + 1 }, (_, k) => from + k);
    };
    for (let i = 0; i < nodes; i++) {
      const name = hostPattern.replace("{i}", String(i));
      const service = services[name];
      assert.ok(service, `service ${name} (its DNS name is in bootnodes.txt)`);
      assert.equal(service.depends_on?.genesis.condition, "service_completed_successfully");
      assert.ok((service.volumes as string[]).includes(`${volume}:${mountPath}`), `${name} mounts the volume`);
      assert.deepEqual(service.entrypoint, ["/bin/sh", "-c"]);
      // compose turns $$ into $ before the shell sees it
      const script = (service.command as string[]).join(" ").replaceAll("$$", "$");
      assert.match(script, /^exec node --conditions=source packages\/node\/src\/cli\/index\.ts beacon /);
      const args = new Map<string, string>();
      for (const m of script.matchAll(/(--[a-z-]+) ("[^"]*"|\S+)/g)) args.set(m[1], m[2]);
      for (const f of args.keys()) assert.ok(beaconHelp.includes(`${f} `), `turnstile beacon takes ${f}`);
      assert.equal(args.get("--genesis"), `${out}/genesis.ssz`);
      assert.equal(args.get("--config"), `${out}/config.yaml`);
      assert.equal(args.get("--data-dir"), `${out}/node-${i}`, "the data dir holds the generated node-key");
      assert.equal(args.get("--listen"), `/ip4/0.0.0.0/tcp/${p2pPort + i}`, "listens where bootnodes.txt says");
      assert.equal(args.get("--api-host"), "0.0.0.0");
      if (i === 0) assert.equal(args.get("--bootnodes"), undefined);
      else assert.equal(args.get("--bootnodes"), `"$(sed -n 1p ${out}/bootnodes.txt)"`, "bootnode: node 0");
      validatorsRun.push(...range(args.get("--validators")!));
      buyersRun.push(...range(args.get("--buyers")!));
    }
    const all = (n: number) => Array.from({ length: n }, (_, k) => k);
    assert.deepEqual(
      validatorsRun.sort((a, b) => a - b),
      all(validators),
      "every validator runs on exactly one node",
    );
    assert.deepEqual(
      buyersRun.sort((a, b) => a - b),
      all(buyers),
      "every buyer runs on exactly one node",
    );
  });
});
