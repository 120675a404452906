// @stage/utils: resilient HTTP and bounded concurrency, exactly as the spec's contract.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function shouldRetry(status) {
  return status === 429 || status >= 500;
}

/** fetch, retrying on 429 and 5xx after 2^attempt × 1000 ms plus jitter; the last response is returned. */
export async function fetchWithRetry(url, opts = {}, maxRetries = 3) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, opts);
    if (!shouldRetry(response.status) || attempt >= maxRetries) return response;
    await response.body?.cancel();
    await sleep(2 ** attempt * 1000 + Math.floor(Math.random() * 250));
  }
}

/** fn over items with never more than `concurrency` in flight; results in input order; first rejection rejects. */
export async function batchedMap(items, fn, concurrency = 5) {
  const list = Array.from(items);
  const limit = Math.max(1, Math.floor(concurrency) || 1);
  const results = new Array(list.length);
  let next = 0;
  let failed = false;
  async function lane() {
    while (!failed && next < list.length) {
      const index = next++;
      try {
        results[index] = await fn(list[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, lane));
  return results;
}

export default { fetchWithRetry, batchedMap };
