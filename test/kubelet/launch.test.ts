import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isNotRunnable, resolveLaunch } from '../../src/lib/kubelet/launch.js';
import { exampleDir, tempDir } from './helpers.js';

describe('resolveLaunch', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const app = (files: Record<string, string>) => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(t.dir, name), content);
    return t.dir;
  };

  it('runs command + args as an argv, in workingDir', () => {
    expect(
      resolveLaunch(
        { image: 'gcr.io/x/y', command: ['node', '-e'], args: ['1'], workingDir: '/tmp' },
        '/home',
      ),
    ).toEqual({
      argv: ['node', '-e', '1'],
      cwd: '/tmp',
      pathPrepend: [],
      source: 'command',
    });
  });

  it('runs a command in the image directory when the image is local', () => {
    const dir = exampleDir('hello');
    const spec = resolveLaunch({ image: pathToFileURL(dir).href, command: ['node', 'server.js'] }, '/home');
    expect(spec).toMatchObject({ cwd: dir, argv: ['node', 'server.js'] });
  });

  it('prefers the Procfile web process, exec-ing simple commands', () => {
    const dir = app({
      Procfile: 'worker: node worker.js\nweb: node web.js --port $PORT\n',
      'package.json': '{"scripts":{"start":"node x.js"}}',
    });
    expect(resolveLaunch({ image: `file://${dir}` }, '/home')).toMatchObject({
      argv: ['/bin/sh', '-c', 'node web.js --port $PORT'],
      cwd: dir,
      source: 'procfile',
    });
  });

  it('runs the start script like npm would, with node_modules/.bin on PATH', () => {
    const dir = exampleDir('hello');
    expect(resolveLaunch({ image: `file://${dir}` }, '/home')).toEqual({
      argv: ['/bin/sh', '-c', 'exec node server.js'],
      cwd: dir,
      pathPrepend: [join(dir, 'node_modules', '.bin')],
      source: 'start-script',
    });
  });

  it('falls back to node <main>, and accepts a plain absolute path', () => {
    const dir = app({ 'package.json': '{"main":"app.js"}', 'app.js': '' });
    expect(resolveLaunch({ image: dir, args: ['--x'] }, '/home')).toMatchObject({
      argv: [process.execPath, 'app.js', '--x'],
      source: 'node-main',
    });
  });

  it('refuses registry images with a message that says what to do', () => {
    const spec = resolveLaunch({ image: 'gcr.io/x/y' }, '/home');
    expect(isNotRunnable(spec)).toBe(true);
    expect(spec).toEqual({
      reason: 'ImageNotRunnable',
      message:
        'the local cluster runs processes, not container images: "gcr.io/x/y" is not a local directory (use --image ./path/to/app, or --cmd)',
    });
  });

  it('refuses a missing directory (ContainerMissing, like an image that cannot be fetched) and a directory with nothing to run', () => {
    expect(resolveLaunch({ image: 'file:///no/such/dir' }, '/home')).toEqual({
      reason: 'ContainerMissing',
      message:
        'Unable to fetch image "file:///no/such/dir": failed to resolve image to digest: /no/such/dir: no such directory',
    });
    const empty = app({});
    mkdirSync(join(empty, 'sub'));
    expect(resolveLaunch({ image: `file://${empty}` }, '/home')).toMatchObject({
      reason: 'ImageNotRunnable',
      message: expect.stringContaining('no Procfile "web:" process'),
    });
  });
});
