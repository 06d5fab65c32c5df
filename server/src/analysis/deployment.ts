/**
 * The deployment files a repository ships (Dockerfiles, compose files, Procfile, app.json, render.yaml,
 * fly.toml, Helm charts and Kubernetes manifests, `.env` examples, gunicorn/uWSGI configs), found by name,
 * and what they say about the environment: whether a deployment sets a variable, whether it runs the app in
 * several processes. Pure: texts come from the host through the workspace's text source.
 */
import { isDevPathByName } from './python/settings.js';

export type DeploymentKind = 'dockerfile' | 'compose' | 'heroku' | 'render' | 'fly' | 'kubernetes' | 'env' | 'server-config' | 'script' | 'app-config';

const KUBERNETES_FOLDERS = new Set(['helm', 'charts', 'chart', 'k8s', 'kubernetes', 'kube', 'manifests', 'kustomize']);

/** The kind of deployment file a path names, by its name alone (the walk calls this for every file: keep it cheap). */
export function deploymentKind(path: string): DeploymentKind | undefined {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  if (/^Dockerfile([.-][\w.-]+)?$/i.test(name) || /\.dockerfile$/i.test(name)) return 'dockerfile';
  if (/^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/i.test(name)) return 'compose';
  if (/^Procfile(\.[\w-]+)?$/.test(name) || name === 'app.json') return 'heroku';
  if (name === 'render.yaml' || name === 'render.yml') return 'render';
  if (name === 'fly.toml') return 'fly';
  if (/^\.env([.-][\w.-]+)?$/.test(name) || /^[\w.-]+\.env(\.(example|sample|template|dist|tmpl))?$/i.test(name) || /^env\.(example|sample|template|dist)$/i.test(name)) return 'env';
  if (/^(gunicorn|uwsgi)[\w.-]*\.(ini|conf|cfg|py|ya?ml)$/i.test(name)) return 'server-config';
  // Launch scripts (`entrypoint.sh`, `webserver.sh`): what a Dockerfile's CMD or a Procfile line starts.
  if (/\.sh$/i.test(name)) return 'script';
  if (/\.(ya?ml|tpl)$/i.test(name)) {
    if (name === 'Chart.yaml' || /^values([.-][\w.-]+)?\.ya?ml$/.test(name)) return 'kubernetes';
    const folders = path.slice(0, Math.max(slash, 0)).split('/');
    if (folders.some((folder) => KUBERNETES_FOLDERS.has(folder.toLowerCase()))) return 'kubernetes';
  }
  // The application's own configuration file, which settings may read CACHES from (`base.json`, `config.yaml`).
  if (/^(base|config|configuration|settings|app|application|default|defaults|production|prod)\.(json|ya?ml)$/i.test(name)) return 'app-config';
  return undefined;
}

export function isDeploymentPath(path: string): boolean {
  return deploymentKind(path) !== undefined;
}

export interface DeploymentFile {
  /** The path as the workspace knows it. */
  path: string;
  /** The path below the project root (what names are judged on). */
  relative: string;
  kind: DeploymentKind;
  text: string;
}

/** One way the project is deployed: a compose folder, a Helm chart, a Heroku app, a render.yaml, a Dockerfile. */
export interface Deployment {
  /** The file the message names. */
  path: string;
  files: DeploymentFile[];
  /** Reads environment files (`env_file:`, `envFrom:`, `--env-file`): the project's `.env` examples apply. */
  readsEnvFiles: boolean;
  /** It names an application server or worker (gunicorn, uWSGI, Celery, replicas...): visibly several processes. */
  namesProcesses: boolean;
}

/** What runs a Django app in production processes (gunicorn/uWSGI workers, ASGI servers, Celery workers, replicas). */
const SERVES_APP = /\b(gunicorn|uwsgi|uvicorn|daphne|hypercorn|granian|celery|replicas|WEB_CONCURRENCY|waitress-serve|wsgi|asgi)\b/i;
const ORCHESTRATORS: ReadonlySet<DeploymentKind> = new Set(['compose', 'heroku', 'render', 'fly', 'kubernetes']);

export class Deployments {
  readonly deployments: Deployment[];
  private readonly envFiles: DeploymentFile[];
  /** Dockerfiles, launch scripts and server configs the project ships: how its image starts, followed from a deployment. */
  private readonly launchFiles: DeploymentFile[];
  /** The application's configuration files (read by settings, not by the deployment). */
  private readonly configFiles: DeploymentFile[];

  constructor(files: DeploymentFile[]) {
    const shipped = files.filter((file) => !isDevDeployment(file.relative));
    this.envFiles = shipped.filter((file) => file.kind === 'env');
    this.launchFiles = shipped.filter((file) => file.kind === 'dockerfile' || file.kind === 'script' || file.kind === 'server-config');
    this.configFiles = shipped.filter((file) => file.kind === 'app-config');
    const groups = new Map<string, DeploymentFile[]>();
    const add = (key: string, file: DeploymentFile): void => {
      const group = groups.get(key);
      if (group) group.push(file);
      else groups.set(key, [file]);
    };
    const hasOrchestrator = shipped.some((file) => ORCHESTRATORS.has(file.kind));
    for (const file of shipped) {
      const folder = file.relative.includes('/') ? file.relative.slice(0, file.relative.lastIndexOf('/')) : '';
      switch (file.kind) {
        case 'compose':
        case 'heroku':
          add(`${file.kind}:${folder}`, file);
          break;
        case 'kubernetes':
          add(`kubernetes:${kubernetesRoot(file.relative)}`, file);
          break;
        case 'render':
        case 'fly':
          add(`${file.kind}:${file.relative}`, file);
          break;
        case 'dockerfile':
        case 'server-config':
          // The deployment only when nothing orchestrates it: compose files and charts set the environment they run in.
          if (!hasOrchestrator) add(`${file.kind}:${file.relative}`, file);
          break;
      }
    }
    this.deployments = [...groups.values()]
      .filter(runsTheApp)
      .map((group) => {
        // A chart is named by a manifest that runs the app (its Deployment), else by its first file.
        const named = group.find((file) => file.kind !== 'kubernetes' || /^\s*kind:\s*(Deployment|StatefulSet|DaemonSet)\b/m.test(file.text)) ?? group[0];
        return {
          path: named.path,
          files: group,
          readsEnvFiles: group.some((file) => /\benv_file\b|\benvFrom\b|--env-file\b/.test(file.text)),
          namesProcesses: group.some((file) => SERVES_APP.test(file.text)),
        };
      })
      // The deployment a message names first is one that visibly runs several processes.
      .sort((a, b) => Number(b.namesProcesses) - Number(a.namesProcesses));
  }

  /** Variables naming a cache server (`CACHE_URL`, `REDIS_URL`, `MEMCACHED_SERVERS`...) that the deployment sets. */
  cacheVariables(deployment: Deployment): string[] {
    const files = deployment.readsEnvFiles ? [...deployment.files, ...this.envFiles] : deployment.files;
    const names = new Set<string>();
    for (const file of files) {
      for (const match of file.text.matchAll(/\b((?=[A-Z])[A-Z0-9_]*(?:CACHE|REDIS|MEMCACHE)[A-Z0-9_]*)\b/g)) names.add(match[1]);
    }
    return [...names].filter((name) => this.sets(deployment, name));
  }

  /**
   * Whether the deployment visibly runs the app in one process that nothing else shares a process-local cache
   * with: one instance (no replicas, scale or formation above 1), no background worker (Celery, RQ, Huey,
   * Dramatiq...) and no other process type running the app, and an application server whose worker count
   * resolves to 1 (`--workers ${NUM_WORKERS:-1}` with the variable unset there, `workers = 1` in its config),
   * followed from the deployment's commands through the image's CMD/ENTRYPOINT and the scripts they start.
   * Anything unknown (no count given, a templated count, an orchestrator it cannot read) is not one process.
   */
  singleProcess(deployment: Deployment): boolean {
    if (!this.oneInstance(deployment)) return false;
    const own = deployment.files.map((file) => file.text).join('\n');
    const dockerfiles = this.launchFiles.filter((file) => file.kind === 'dockerfile');
    const definesCommand = /^\s*(command|args):|^web:/m.test(own);
    const imageStarts = dockerfiles.flatMap((file) => file.text.split(/\r?\n/).filter((line) => (definesCommand ? /^\s*ENTRYPOINT\b/ : /^\s*(CMD|ENTRYPOINT)\b/).test(line)));
    const launched = this.followScripts([own, ...imageStarts].join('\n'));
    if (BACKGROUND_WORKER.test(launched)) return false;
    const servers = serverInvocations(launched);
    if (servers.length === 0) return false;
    return servers.every((invocation) => this.workerCount(deployment, invocation) === 1);
  }

  /** One instance of one process type runs the app. */
  private oneInstance(deployment: Deployment): boolean {
    const kind = deployment.files[0].kind;
    const texts = deployment.files.map((file) => file.text);
    if (kind === 'render' || kind === 'fly') return false;
    if (kind === 'kubernetes') {
      const all = texts.join('\n');
      if (/HorizontalPodAutoscaler|\bmaxReplicas\b|\bautoscaling\b/.test(all)) return false;
      if ([...all.matchAll(/^\s*(replicas|replicaCount):\s*(.*)$/gm)].some((match) => match[2].trim() !== '1')) return false;
      return [...all.matchAll(/^\s*kind:\s*(Deployment|StatefulSet|DaemonSet)\b/gm)].length <= 1;
    }
    if (kind === 'heroku') {
      for (const file of deployment.files) {
        if (file.relative.endsWith('app.json')) {
          const formation = /"formation"\s*:\s*\{([\s\S]*?)\}\s*\}/.exec(file.text)?.[1] ?? '';
          if ([...formation.matchAll(/"quantity"\s*:\s*(\d+)/g)].some((match) => Number(match[1]) > 1)) return false;
          if ([...formation.matchAll(/"([\w-]+)"\s*:\s*\{/g)].some((match) => match[1] !== 'web')) return false;
        } else if (file.text.split(/\r?\n/).some((line) => /^[\w-]+:/.test(line) && !/^(web|release):/.test(line))) {
          return false;
        }
      }
      return true;
    }
    if (kind === 'compose') {
      const services = deployment.files.flatMap((file) => composeServices(file.text));
      const app = new Set(services.filter((service) => runsAppImage(service.body)).map((service) => service.name));
      if (app.size !== 1) return false;
      return !services.some((service) => app.has(service.name) && /^\s*(replicas|scale):\s*(?!1\s*$)/m.test(service.body));
    }
    return true;
  }

  /** The text the commands start, with the shipped scripts and server configs they name (by file name) appended. */
  private followScripts(text: string): string {
    const seen = new Set<DeploymentFile>();
    let pending = text;
    let all = text;
    for (let depth = 0; depth < 5 && pending; depth++) {
      const named = new Set([...pending.matchAll(/([\w.-]+\.(?:sh|py|ini|conf|cfg))\b/g)].map((match) => match[1]));
      const next = this.launchFiles.filter((file) => file.kind !== 'dockerfile' && !seen.has(file) && named.has(file.relative.slice(file.relative.lastIndexOf('/') + 1)));
      for (const file of next) seen.add(file);
      pending = next.map((file) => file.text).join('\n');
      all += `\n${pending}`;
    }
    return all;
  }

  /** How many worker processes one application-server invocation runs; undefined when the files do not say. */
  private workerCount(deployment: Deployment, invocation: ServerInvocation): number | undefined {
    if (invocation.server === 'daphne') return 1;
    const flag = invocation.server === 'uwsgi' ? /(?:^|\s)(?:--processes|--workers|-p)[=\s]+["']?([^\s"'\],]+)/ : /(?:^|\s)(?:--workers|-w)[=\s]+["']?([^\s"'\],]+)/;
    const given = flag.exec(invocation.line)?.[1];
    if (given !== undefined) return this.resolveCount(deployment, given);
    // A config file the command names (`--config gunicorn_conf.py`, `--ini uwsgi.ini`).
    const config = /(?:^|\s)(?:--config|-c|--ini)[=\s]+["']?(\S+?)["']?(?:\s|$)/.exec(invocation.line)?.[1];
    const configName = config?.slice(config.lastIndexOf('/') + 1);
    const configFile = configName ? this.launchFiles.find((file) => file.kind === 'server-config' && file.relative.endsWith(configName)) : undefined;
    const setting = configFile ? /^\s*(?:workers|processes)\s*[=:]\s*(.+)$/m.exec(configFile.text)?.[1] : undefined;
    return setting === undefined ? undefined : this.resolveCount(deployment, setting.trim());
  }

  /** `1`, `${NUM_WORKERS:-1}`, `int(os.environ.get("WORKERS", 1))`, `env("WORKERS") or 2`: the default, unless the deployment sets the variable. */
  private resolveCount(deployment: Deployment, value: string): number | undefined {
    const literal = /^["']?(\d+)["']?$/.exec(value);
    if (literal) return Number(literal[1]);
    const shell = /^["']?\$\{(\w+):?-(\d+)\}["']?$/.exec(value);
    if (shell) return this.sets(deployment, shell[1]) ? undefined : Number(shell[2]);
    const variable = /["']([A-Z][A-Z0-9_]*)["']/.exec(value)?.[1];
    const fallback = /(?:,\s*["']?(\d+)["']?\s*\)|\bor\s+(\d+))\s*\)?\s*(#.*)?$/.exec(value);
    if (variable && fallback) return this.sets(deployment, variable) ? undefined : Number(fallback[1] ?? fallback[2]);
    return undefined;
  }

  /**
   * The shipped file a Dockerfile copies to a path ending in `target` (a path below the project root):
   * `COPY docker/settings_local.py ${APP_ROOT}/shop/settings_local.py`, or into that folder. Relative to the
   * build context, which is taken to be the project root.
   */
  copiedTo(target: string): string | undefined {
    const file = target.slice(target.lastIndexOf('/') + 1);
    // The folder the module sits in, with its file: enough to tell it from a look-alike elsewhere in the image.
    const tail = target.split('/').slice(-2).join('/');
    for (const dockerfile of this.launchFiles) {
      if (dockerfile.kind !== 'dockerfile') continue;
      for (const line of dockerfile.text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
        const words = /^\s*(?:COPY|ADD)\s+(.*)$/i.exec(line)?.[1].split(/\s+/).filter((word) => word && !word.startsWith('--'));
        if (!words || words.length < 2) continue;
        const destination = words[words.length - 1];
        for (const source of words.slice(0, -1)) {
          const placed = destination.endsWith('/') ? `${destination}${source.slice(source.lastIndexOf('/') + 1)}` : destination;
          if ((placed === tail || placed.endsWith(`/${tail}`)) && source.endsWith(file)) return source.replace(/^\.\//, '');
        }
      }
    }
    return undefined;
  }

  /**
   * The application's configuration files a deployment points its processes at, by path (an environment value
   * or a volume naming the file or the folder that holds it: `ZENTRAL_CONF_DIR: /app/conf/prod/`), with the
   * deployment file that names it.
   */
  configFilesOf(deployment: Deployment): { config: DeploymentFile; via: DeploymentFile }[] {
    const found: { config: DeploymentFile; via: DeploymentFile }[] = [];
    for (const config of this.configFiles) {
      const folder = config.relative.includes('/') ? config.relative.slice(0, config.relative.lastIndexOf('/')) : '';
      // A folder of one segment (`config/`) is too common a word to count as a pointer: then only the file itself.
      const names = folder.includes('/') ? [config.relative, folder] : [config.relative];
      const pointer = new RegExp(`(^|[\\s"'=:/])(\\./)?(${names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})/?(?=[\\s"',:]|$)`, 'm');
      const via = deployment.files.find((file) => pointer.test(file.text));
      if (via) found.push({ config, via });
    }
    return found;
  }

  /**
   * Whether the deployment writes down the environment its processes run with (a compose file, a chart, app.json,
   * render.yaml, fly.toml, or the env files it reads). A Procfile or an image's Dockerfile alone does not: the
   * platform that runs them injects the environment, so a variable missing from them is no sign it is unset.
   */
  declaresEnvironment(deployment: Deployment): boolean {
    return (
      deployment.readsEnvFiles ||
      deployment.files.some((file) => file.kind === 'compose' || file.kind === 'kubernetes' || file.kind === 'render' || file.kind === 'fly' || (file.kind === 'heroku' && /(^|\/)app\.json$/.test(file.path)))
    );
  }

  /** Whether the deployment gives the variable a non-empty value (or provisions the add-on that does). */
  sets(deployment: Deployment, variable: string): boolean {
    if (deployment.files.some((file) => setsVariable(file, variable))) return true;
    return deployment.readsEnvFiles && this.envFiles.some((file) => setsVariable(file, variable));
  }
}

/** Processes that run the app beside the web server and would each hold their own LocMem. */
const BACKGROUND_WORKER = /\bcelery\b[^\n]*\bworker\b|\brq\s*worker\b|\brqworker\b|\brun_huey\b|\bdramatiq\b|\bqcluster\b|\bprocess_tasks\b|\bdb_worker\b|\bprocrastinate\b[^\n]*\bworker\b/i;

interface ServerInvocation {
  server: string;
  /** The command line, shell continuations joined. */
  line: string;
}

/** Application-server commands in launch text (`gunicorn app.wsgi --workers 2`, `["uwsgi", "--processes", "4"]`). */
function serverInvocations(text: string): ServerInvocation[] {
  const joined = text.replace(/\\\r?\n/g, ' ').replace(/"\s*,\s*"/g, ' ');
  const found: ServerInvocation[] = [];
  for (const line of joined.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    const match = /(?:^|[\s"'\[;&|(])(gunicorn|uwsgi|uvicorn|daphne|hypercorn|granian|waitress-serve)(?=[\s"'\]]|$)/.exec(line);
    if (match) found.push({ server: match[1], line: line.slice(match.index) });
  }
  return found;
}

/** The services of a compose file: each name under `services:` with its indented block. */
function composeServices(text: string): { name: string; body: string }[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^services:\s*$/.test(line));
  if (start < 0) return [];
  const services: { name: string; body: string }[] = [];
  let indent: number | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\S/.test(line)) break;
    const match = /^(\s+)([\w.-]+):\s*$/.exec(line);
    if (match && (indent === undefined || match[1].length === indent)) {
      indent = match[1].length;
      services.push({ name: match[2], body: '' });
    } else if (services.length > 0) {
      services[services.length - 1].body += `${line}\n`;
    }
  }
  return services;
}

/** A compose service that runs the project's own image (it builds one, or runs one that is not a database, cache or proxy). */
function runsAppImage(body: string): boolean {
  if (/^\s*build:/m.test(body)) return true;
  const image = /^\s*image:\s*["']?([^\s"']+)/m.exec(body)?.[1];
  return image !== undefined && !INFRASTRUCTURE_IMAGE.test(image);
}

/**
 * Whether a deployment runs the Django app in production processes: a Heroku app, a chart, a compose file that
 * builds or runs an application image (not only databases, nor only `runserver`), a Dockerfile or server config
 * that starts an application server.
 */
function runsTheApp(group: DeploymentFile[]): boolean {
  const text = group.map((file) => file.text).join('\n');
  const kind = group[0].kind;
  if (kind === 'heroku' || kind === 'kubernetes' || kind === 'render' || kind === 'fly') return true;
  // Development compose files: Django's debug mode switched on, or only the development server.
  if (kind === 'compose' && (DEBUG_ON.test(text) || group.some((file) => saysDevelopment(file.text)) || (/\brunserver\b/.test(text) && !SERVES_APP.test(text)))) return false;
  if (SERVES_APP.test(text)) return true;
  if (kind !== 'compose') return false;
  if (/^\s*build:/m.test(text)) return true;
  return [...text.matchAll(/^\s*image:\s*["']?([^\s"']+)/gm)].some((match) => !INFRASTRUCTURE_IMAGE.test(match[1]));
}

/** A file whose opening comments say it is for development (`# docker-compose for local development`). */
function saysDevelopment(text: string): boolean {
  const opening = /^(\s*#[^\n]*\n)+/.exec(text)?.[0] ?? '';
  return /\b(development|local dev|for dev)\b/i.test(opening) && !/\bproduction\b/i.test(opening);
}

const DEBUG_ON = /\b\w*(DEBUG|_DEV)\b["']?\s*[:=]\s*["']?(true|1|yes|on)\b/i;

const INFRASTRUCTURE_IMAGE =
  /(^|\/)(postgres|postgis|mysql|mariadb|redis|valkey|memcached|rabbitmq|nginx|elasticsearch|opensearch|minio|mailhog|mailpit|traefik|caddy|mongo|keycloak|localstack|selenium|kibana|grafana|prometheus|solr|zookeeper|kafka|clickhouse|httpd|haproxy|busybox|alpine)[:@]?/i;

/** Compose overrides for tests, dev containers, CI: not how the project ships. */
function isDevDeployment(relative: string): boolean {
  return isDevPathByName(relative.replace(/\.(ya?ml|json|toml|tpl)$/i, '')) || /(^|\/)\.devcontainer\//.test(relative) || /(^|\/)\.github\//.test(relative);
}

/** The chart or manifests folder a Kubernetes file belongs to. */
function kubernetesRoot(relative: string): string {
  const parts = relative.split('/');
  const templates = parts.lastIndexOf('templates');
  if (templates > 0) return parts.slice(0, templates).join('/');
  return parts.slice(0, -1).join('/');
}

const HEROKU_ADDON_VARIABLES: [RegExp, RegExp][] = [
  [/redis/i, /REDIS/],
  [/memcach/i, /MEMCACH|CACHE/],
];

/** A whole-word assignment of the variable with a non-empty value, in any of the formats deployment files use. */
export function setsVariable(file: DeploymentFile, variable: string): boolean {
  const name = variable.replace(/[^A-Za-z0-9_]/g, '');
  if (!name) return false;
  if (file.kind === 'heroku' && file.path.endsWith('app.json') && addonProvides(file.text, name)) return true;
  const assignment = new RegExp(`(?:^|[\\s"',(-])${name}["']?\\s*[:=]\\s*(.*)$`);
  const listedName = new RegExp(`(?:^|\\s)-?\\s*name:\\s*["']?${name}["']?\\s*$`);
  const dockerEnv = new RegExp(`^\\s*ENV\\s+${name}\\s+\\S`);
  const lines = file.text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.includes(name) || /^\s*#/.test(line)) continue;
    if (dockerEnv.test(line)) return true;
    if (listedName.test(line)) return true;
    const match = assignment.exec(line);
    if (match && !isEmptyValue(match[1])) return true;
  }
  return false;
}

function isEmptyValue(value: string): boolean {
  const trimmed = value.replace(/\s+#.*$/, '').replace(/,$/, '').trim();
  return trimmed === '' || trimmed === '""' || trimmed === "''" || trimmed === 'null' || trimmed === '~' || trimmed === '|' || trimmed === '>';
}

function addonProvides(text: string, variable: string): boolean {
  const addons = /"addons"\s*:\s*\[([\s\S]*?)\]/.exec(text)?.[1];
  if (!addons) return false;
  return HEROKU_ADDON_VARIABLES.some(([plan, provides]) => plan.test(addons) && provides.test(variable));
}
