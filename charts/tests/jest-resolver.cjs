// The kubernetes-models packages are ESM-only: their package.json exports declare only an `import`
// condition, which Jest's CommonJS resolution does not match. Resolve just those packages with the
// `import` condition; Jest's SWC transform then turns their ESM into CommonJS like any other file.
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/[^/]+)(\/|$)/;

module.exports = (request, options) =>
  options.defaultResolver(
    request,
    ESM_ONLY.test(request)
      ? { ...options, conditions: ['import', 'default'] }
      : options,
  );
