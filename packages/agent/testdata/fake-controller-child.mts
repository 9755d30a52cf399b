// The fake controller as a process (for tests that run it inside a network namespace):
//   argv: HOST PORT
//   stdout: {"ready": URL} once listening, then {"status": StatusRequest} per report
//   stdin:  {"policy": FakePolicy} per line
import { createInterface } from "node:readline";
import { startFakeController } from "../src/testing/fake-controller.ts";

const [host, port] = process.argv.slice(2);
const print = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const controller = await startFakeController({
  host,
  port: Number(port),
  onStatus: (status) => print({ status }),
});
print({ ready: controller.url });
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim()) controller.setPolicy(JSON.parse(line).policy);
}
