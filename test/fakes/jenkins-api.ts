// Imitates the remote access API of a Jenkins 2.4xx LTS controller (2.452.x): `GET /api/json`
// (hudson.model.Hudson), `GET /computer/api/json` (hudson.model.ComputerSet with each computer's
// offline/idle/numExecutors) and `GET /whoAmI/api/json`. Every answer carries `X-Jenkins`,
// `X-Hudson` and `X-Jenkins-Session`. Scripted clients authenticate with HTTP Basic, user name and
// API token, sent pre-emptively: a wrong token is 401 with a Basic challenge; an anonymous request
// where anonymous users lack Overall/Read is 403 (Jenkins never negotiates), with the
// `X-You-Are-Authenticated-As` headers of AccessDeniedException3. While starting, Jenkins answers
// every request 503 ("Jenkins is getting ready to work"). Logs every request.

import {
  basicCredentials,
  startRecordingServer,
  replying,
  type Recording,
  type Reply,
  type ServeOptions,
} from './recording-server.js';

export interface JenkinsNode {
  displayName: string;
  numExecutors: number;
  offline?: boolean;
  /** Executors running a build (online nodes only). */
  busy?: number;
}

export interface JenkinsOptions extends ServeOptions {
  version?: string;
  /** User name → API token. */
  users?: Record<string, string>;
  /** Whether anonymous users have Overall/Read. */
  anonymousRead?: boolean;
  nodes?: JenkinsNode[];
  /** Still starting: every request is answered 503. */
  starting?: boolean;
}

export const JENKINS_VERSION = '2.452.3';

const BUILT_IN: JenkinsNode = { displayName: 'Built-In Node', numExecutors: 0 };

function computer(node: JenkinsNode): Record<string, unknown> {
  const builtIn = node.displayName === BUILT_IN.displayName;
  const offline = node.offline === true;
  return {
    _class: builtIn ? 'hudson.model.Hudson$MasterComputer' : 'hudson.slaves.SlaveComputer',
    actions: [],
    assignedLabels: [{ name: builtIn ? 'built-in' : node.displayName }],
    description: builtIn ? "the Jenkins controller's built-in node" : '',
    displayName: node.displayName,
    executors: Array.from({ length: node.numExecutors }, () => ({})),
    icon: offline ? 'symbol-computer-offline' : 'symbol-computer',
    iconClassName: offline ? 'symbol-computer-offline' : 'symbol-computer',
    idle: offline || !node.busy,
    jnlpAgent: !builtIn,
    launchSupported: true,
    manualLaunchAllowed: true,
    monitorData: {},
    numExecutors: node.numExecutors,
    offline,
    offlineCause: offline ? { _class: 'hudson.slaves.OfflineCause$ChannelTermination' } : null,
    offlineCauseReason: offline ? 'Connection was broken' : '',
    oneOffExecutors: [],
    temporarilyOffline: false,
  };
}

/** `ComputerSet`: busy and total executors count online computers only, as Jenkins counts them. */
function computerSet(nodes: JenkinsNode[]): Record<string, unknown> {
  const online = nodes.filter((n) => !n.offline);
  return {
    _class: 'hudson.model.ComputerSet',
    busyExecutors: online.reduce((sum, n) => sum + (n.busy ?? 0), 0),
    computer: nodes.map(computer),
    displayName: 'Nodes',
    totalExecutors: online.reduce((sum, n) => sum + n.numExecutors, 0),
  };
}

function hudson(url: string): Record<string, unknown> {
  return {
    _class: 'hudson.model.Hudson',
    assignedLabels: [{ name: 'built-in' }],
    mode: 'NORMAL',
    nodeDescription: "the Jenkins controller's built-in node",
    nodeName: '',
    numExecutors: 0,
    description: null,
    jobs: [
      {
        _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob',
        name: 'platform',
        url: `${url}/job/platform/`,
        color: 'blue',
      },
    ],
    overallLoad: {},
    primaryView: { _class: 'hudson.model.AllView', name: 'all', url: `${url}/` },
    quietDownReason: null,
    quietingDown: false,
    slaveAgentPort: 50000,
    unlabeledLoad: { _class: 'jenkins.model.UnlabeledLoadStatistics' },
    url: `${url}/`,
    useCrumbs: true,
    useSecurity: true,
    views: [{ _class: 'hudson.model.AllView', name: 'all', url: `${url}/` }],
  };
}

export async function startJenkins(options: JenkinsOptions = {}): Promise<Recording> {
  const nodes = [BUILT_IN, ...(options.nodes ?? [])];
  const users = options.users ?? {};
  const headers = {
    'x-jenkins': options.version ?? JENKINS_VERSION,
    'x-hudson': '1.395',
    'x-jenkins-session': '4f1c2a9e',
  };
  let base = '';
  const server = await startRecordingServer(
    replying((req, url): Reply => {
      if (options.starting)
        return { status: 503, headers, body: '<html><body>Jenkins is getting ready to work …</body></html>' };
      const sent = req.headers.authorization;
      const credentials = basicCredentials(sent);
      if (sent !== undefined && (!credentials || users[credentials.user] !== credentials.password))
        return {
          status: 401,
          headers: { ...headers, 'www-authenticate': 'Basic realm="Jenkins"' },
          body: `<html><body><h2>HTTP ERROR 401 Invalid password/token for user: ${credentials?.user ?? ''}</h2></body></html>`,
        };
      if (!credentials && !options.anonymousRead && url.pathname !== '/whoAmI/api/json')
        return {
          status: 403,
          headers: {
            ...headers,
            'x-you-are-authenticated-as': 'anonymous',
            'x-you-are-in-group-disabled':
              'JENKINS-39402: use -Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS=true or use /whoAmI to diagnose',
            'x-required-permission': 'hudson.model.Hudson.Read',
            'x-permission-implied-by': 'hudson.security.Permission.GenericRead',
          },
          body: `<html><head><meta http-equiv='refresh' content='1;url=/login?from=${encodeURIComponent(url.pathname)}'/></head><body>Authentication required</body></html>`,
        };
      if (req.method !== 'GET') return { status: 405, headers, body: '' };
      switch (url.pathname) {
        case '/api/json':
          return { status: 200, headers, body: hudson(base) };
        case '/computer/api/json':
          return { status: 200, headers, body: computerSet(nodes) };
        case '/whoAmI/api/json':
          return {
            status: 200,
            headers,
            body: {
              _class: 'hudson.security.WhoAmI',
              anonymous: !credentials,
              authenticated: true,
              authorities: credentials ? ['authenticated'] : ['anonymous'],
              name: credentials?.user ?? 'anonymous',
            },
          };
        default:
          return { status: 404, headers, body: '<html><body><h2>HTTP ERROR 404 Not Found</h2></body></html>' };
      }
    }),
    options,
  );
  base = server.url;
  return server;
}
