import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Layer rules: which folder may import which. Each restriction bans static imports (through
 * no-restricted-imports) and dynamic `import()` (through no-restricted-syntax) alike.
 */
const onlyKube = 'Only src/lib/kube talks to the Kubernetes API: use its RestClient, Informer and WorkQueue.';

/** One Kubernetes access layer (docs/adr/0005-kube-access-layer.md): client-node only in src/lib/kube. */
const clientNode = { name: '@kubernetes/client-node', message: onlyKube };

/**
 * HTTPS requests are how a process talks to an API server, so node:https is for the kube layer, the
 * embedded API server's listener and the daemon's health check of its own API server.
 */
const httpsClient = [
  { name: 'node:https', message: onlyKube },
  { name: 'https', message: onlyKube },
];

/**
 * Commands are thin: they reach the reconciler and the gateway only through their entry points
 * (`controller/index.js`, `dataplane/index.js`), and never the API server, the runtime or the webhook.
 */
const commandInternals = [
  {
    regex: '/lib/(apiserver|kubelet|webhook)/',
    message:
      'Commands never import the API server, runtime or webhook: go through src/lib/cli or src/lib/local.',
  },
  {
    regex: '/lib/controller/(?!index\\.js$)',
    message: 'Commands reach the reconciler only through src/lib/controller/index.js (startReconciler).',
  },
  {
    regex: '/lib/dataplane/(?!index\\.js$)',
    message: 'Commands reach the gateway only through src/lib/dataplane/index.js (startDataPlane).',
  },
];

/** src/lib/apis is the bottom layer: Knative and core types and their pure rules, importing nothing else. */
const apisBottom = [
  {
    regex: '^\\.\\./',
    message: 'src/lib/apis imports nothing outside itself (the webhook lives in src/lib/webhook).',
  },
];
/** The same rule one folder down (src/lib/apis/lifecycle/, src/lib/apis/config/). */
const apisBottomNested = [
  {
    regex: '^\\.\\./\\.\\./',
    message: 'src/lib/apis imports nothing outside itself (the webhook lives in src/lib/webhook).',
  },
];

/** Printers format objects; they never reach into the use cases or the API server. */
const printersPure = [
  {
    regex: '^\\.\\./(cli|apiserver)/',
    message:
      'src/lib/printers never imports src/lib/cli or src/lib/apiserver (JSONPath is src/lib/jsonpath).',
  },
];

/**
 * The gateway and the local runtime meet only through the API (Endpoints) and the options the local
 * stack wires (the runtime's CPU meter): neither imports the other.
 */
const dataplaneRuntime = [
  {
    regex: '^(\\.\\./)+kubelet/',
    message: 'The data plane never imports the local runtime: take what it needs as a startDataPlane option.',
  },
];
const runtimeDataplane = [
  {
    regex: '^(\\.\\./)+dataplane/',
    message: 'The local runtime never imports the data plane.',
  },
];

/** esquery regex literals cannot contain "/": spell it \x2F. */
const esqueryRegex = (source) => source.replaceAll('/', '\\x2F');

/** The rules for one set of files: every name and pattern it may not import, statically or dynamically. */
function restrict(files, ignores, { paths = [], patterns = [] }) {
  const syntax = [
    ...paths.map((p) => ({ selector: `ImportExpression[source.value='${p.name}']`, message: p.message })),
    ...patterns.map((p) => ({
      selector: `ImportExpression[source.value=/${esqueryRegex(p.regex)}/]`,
      message: p.message,
    })),
  ];
  return {
    files,
    ignores,
    rules: {
      'no-restricted-imports': ['error', { paths, patterns }],
      'no-restricted-syntax': ['error', ...syntax],
    },
  };
}

/**
 * The CLI process never loads the server stack: only the daemon's entry point starts it (commands,
 * autostart and `cluster start` spawn that process instead).
 */
const serverStack = {
  regex: '(^\\./|/local/)stack\\.js$',
  message: 'Only src/lib/local/daemon-main.ts loads the local stack; the CLI starts the daemon process.',
};

/**
 * The zones are disjoint (a later config object would replace an earlier one's rule options), so
 * each gets its whole set of restrictions: the common ones it is not exempt from, then its own.
 */
function layerRules() {
  const zones = [
    { files: ['src/commands/**/*.ts'], patterns: commandInternals },
    { files: ['src/lib/apis/*.ts'], patterns: apisBottom },
    { files: ['src/lib/apis/*/**/*.ts'], patterns: apisBottomNested },
    { files: ['src/lib/printers/**/*.ts'], patterns: printersPure },
    { files: ['src/lib/dataplane/**/*.ts'], patterns: dataplaneRuntime },
    { files: ['src/lib/kubelet/**/*.ts'], patterns: runtimeDataplane },
    { files: ['src/lib/kube/**/*.ts'], kube: true, https: true },
    { files: ['src/lib/apiserver/server.ts', 'src/lib/local/daemon.ts'], https: true },
    { files: ['src/lib/local/daemon-main.ts'], stack: true },
  ];
  const claimed = zones.flatMap((z) => z.files);
  const rules = ({ patterns = [], kube = false, https = false, stack = false }) => ({
    paths: [...(kube ? [] : [clientNode]), ...(https ? [] : httpsClient)],
    patterns: [...(stack ? [] : [serverStack]), ...patterns],
  });
  return [
    ...zones.map((z) => restrict(z.files, [], rules(z))),
    restrict(['src/**/*.ts'], claimed, rules({})),
  ];
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'examples/**/node_modules/**', 'bench/results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  ...layerRules(),
);
