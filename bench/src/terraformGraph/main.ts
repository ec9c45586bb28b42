import { formatResult, Order, provision } from './run';

/**
 * `yarn workspace @devops-app/bench terraform-graph [--delay 5] [--rounds 3]`: provisions a new
 * environment on the sandbox stacks (each apply made to take --delay seconds) through the terraform
 * run service, in graph order and one stack after another, alternating, and prints the ratio.
 */
function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const delaySeconds = option('delay', 5);
  const rounds = option('rounds', 3);
  const result = {
    delaySeconds,
    graph: [] as number[],
    sequential: [] as number[],
  };
  for (let round = 0; round < rounds; round++) {
    // graph, sequential, sequential, graph, ...: drift of the machine hits both sides alike.
    const orders: Order[] =
      round % 2 ? ['sequential', 'graph'] : ['graph', 'sequential'];
    for (const order of orders) {
      const { ms } = await provision({
        order,
        delaySeconds,
        environment: `bench-${order.slice(0, 3)}-${round}`,
      });
      result[order].push(ms);
      process.stderr.write(
        `round ${round + 1} ${order}: ${(ms / 1000).toFixed(1)} s\n`,
      );
    }
  }
  process.stdout.write(`${formatResult(result)}\n`);
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
