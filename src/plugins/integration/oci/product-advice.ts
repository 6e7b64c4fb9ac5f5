// What each registry product documents for a situation a check diagnosed: its own likely causes and
// its own fix (ECR's `aws ecr get-login-password`, GHCR's package scopes, Harbor's robot accounts …),
// as one data table. Checks name the situation and the recognised product; they never branch on the
// product themselves. A product without an entry for a situation adds nothing to the generic advice.

import type { CheckOutcome } from '../../../engine/types.js';
import type { RegistryProduct } from '../../../registry/products.js';
import { numbered, type Step } from '../shared/remediation.js';

export type Situation =
  /** The registry or its token service refused the credentials. */
  | 'credentials_rejected'
  /** The credentials were refused because they expired. */
  | 'credentials_expired'
  /** Valid credentials, no read access to the repository. */
  | 'pull_denied'
  /** A registry that hides existence refused: missing repository or no read access. */
  | 'not_found_or_denied'
  /** Valid credentials, no write access to the repository. */
  | 'push_denied'
  /** The push repository does not exist and is not created on push. */
  | 'push_repository_missing'
  /** The registry refuses this client's network (403 at `/v2/`). */
  | 'network_forbidden'
  /** The registry limits this client's requests. */
  | 'rate_limited'
  /** No OCI 1.1 referrers API. */
  | 'referrers_unsupported';

export interface AdviceContext {
  /** host[:port] of the registry. */
  host: string;
  repository: string;
  username: string | undefined;
}

export interface Advice {
  causes: string[];
  steps: Step[];
}

type Entry = (c: AdviceContext) => Advice;

const step = (description: string, command?: string): Step => ({
  environment: 'any',
  description,
  ...(command === undefined ? {} : { command }),
  safe: false,
});

/** `<account>.dkr.ecr.<region>.amazonaws.com` → its region; a placeholder when the host does not say. */
const ecrRegion = (host: string): string => /\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/.exec(host)?.[1] ?? '<region>';
/** `<name>.azurecr.io` → the registry's name. */
const acrName = (host: string): string => /^([a-z0-9]+)\.azurecr\./.exec(host)?.[1] ?? '<registry-name>';
/** `<location>-docker.pkg.dev` → its location. */
const arLocation = (host: string): string => /^([a-z0-9-]+)-docker\.pkg\.dev/.exec(host)?.[1] ?? '<location>';

const ECR_LOGIN = (c: AdviceContext): Step =>
  step(
    'Fetch a fresh ECR password (valid 12 hours) and store it as OCI:Password with OCI:Username=AWS; schedule ' +
      'the refresh (every 6 hours, or the amazon-ecr-credential-helper)',
    `aws ecr get-login-password --region ${ecrRegion(c.host)} | docker login --username AWS --password-stdin ${c.host}`,
  );

const ECR_PULL_ACTIONS = 'ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability';
const ECR_PUSH_ACTIONS =
  'ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ' +
  'ecr:BatchCheckLayerAvailability';

const GHCR_LOGIN = (c: AdviceContext): Step =>
  step(
    'Log in with a personal access token (classic) as the password: read:packages to pull, write:packages to push',
    `echo '<token>' | docker login ghcr.io -u ${c.username ?? '<github-user>'} --password-stdin`,
  );
const GHCR_ACTIONS = step(
  'For the workflow GITHUB_TOKEN: grant `permissions: packages: write` in the workflow and add the repository ' +
    'under the package\'s "Manage Actions access" (a package first pushed by hand is not writable by workflows)',
);

const GITLAB_TOKEN = step(
  'Use a personal, project or group access token or a deploy token with read_registry (pull) and ' +
    'write_registry (push); in CI use CI_REGISTRY_USER/CI_REGISTRY_PASSWORD, or user gitlab-ci-token with ' +
    'CI_JOB_TOKEN',
);

const ACR_LOGIN = (c: AdviceContext): Step =>
  step(
    'Get a registry token for username 00000000-0000-0000-0000-000000000000 (valid 3 hours), or use the admin ' +
      'user or a service principal',
    `az acr login --name ${acrName(c.host)} --expose-token --output tsv --query accessToken`,
  );
const ACR_SCOPE_MAP = (c: AdviceContext, actions: string): Step =>
  step(
    `For a repository-scoped token, add ${actions} on ${c.repository} to its scope map (or give the identity ` +
      `the AcrPull/AcrPush role)`,
    `az acr scope-map update --registry ${acrName(c.host)} --name <scope-map> --add-repository ${c.repository} ` +
      actions,
  );

const AR_BINDING = (c: AdviceContext, role: string): Step =>
  step(
    `Grant ${role} on the repository to the service account`,
    `gcloud artifacts repositories add-iam-policy-binding <repository> --location=${arLocation(c.host)} ` +
      `--member=serviceAccount:<service-account-email> --role=${role}`,
  );
const AR_LOGIN = (c: AdviceContext): Step =>
  step(
    'Use username oauth2accesstoken with a fresh access token (1 hour), or _json_key with the whole ' +
      'service-account key file as the password (_json_key_base64 for it base64-encoded)',
    `gcloud auth print-access-token | docker login -u oauth2accesstoken --password-stdin ${c.host}`,
  );

const HARBOR_ROBOT_CAUSE =
  'A robot account name robot$<project>+<name> lost its `$` part: shells and Compose expand `$name` in unquoted ' +
  'values (quote it in single quotes, or write $$ in a compose file)';
const HARBOR_ROBOT = (c: AdviceContext, permission: string): Step =>
  step(
    `In Harbor, open the project of ${c.repository} → Robot Accounts (or Members) and give ` +
      `${c.username ?? 'the account'} ${permission}; check that the robot account is enabled and not expired`,
  );

const QUAY_ROBOT = (c: AdviceContext, permission: string): Step =>
  step(
    `In Quay, open ${c.repository} → Settings → User and Robot Permissions and give ` +
      `${c.username ?? 'the robot account'} ${permission} (robot accounts get no access until granted per ` +
      `repository or through the organisation's default permissions)`,
  );

const HUB_PAT = step(
  'Use a Docker Hub personal access token as the password (Account settings → Personal access tokens): ' +
    'Read-only to pull, Read & Write to push; password logins fail where SSO or two-factor authentication is on',
);

const ARTIFACTORY_PERMISSION = (c: AdviceContext, action: string): Step =>
  step(
    `In Artifactory, add a permission target for the Docker repository of ${c.repository} with ${action} for ` +
      `${c.username ?? 'the user'}; with the repository path method the repository key is the first path part ` +
      `(docker-local/${c.repository})`,
  );

const NEXUS_PRIVILEGE = (c: AdviceContext, privilege: string): Step =>
  step(
    `In Nexus, give ${c.username ?? 'the user'} a role with nx-repository-view-docker-<repository>-${privilege}; ` +
      'pushes go to a hosted repository (its own connector port or path), never to a group',
  );
const NEXUS_REALM = step(
  'In Nexus, Security → Realms: activate "Docker Bearer Token Realm" (needed for token logins and anonymous ' +
    'pulls)',
);

const ZOT_POLICY = (c: AdviceContext, actions: string): Step =>
  step(
    `In zot's configuration, give ${c.username ?? 'the user'} ${actions} on ${c.repository} under ` +
      'http.accessControl (repositories → policies → actions) and restart zot',
  );

const ADVICE: Partial<Record<RegistryProduct, Partial<Record<Situation, Entry>>>> = {
  dockerhub: {
    credentials_rejected: () => ({
      causes: ['Docker Hub refuses the account password where SSO or two-factor authentication is on'],
      steps: [HUB_PAT],
    }),
    not_found_or_denied: (c) => ({
      causes: [
        `${c.repository} does not exist on Docker Hub (official images live under library/, e.g. library/alpine)`,
        `${c.repository} is private and the account is not a collaborator or a member of a team with access`,
      ],
      steps: [HUB_PAT],
    }),
    push_denied: (c) => ({
      causes: [
        `The access token is Read-only, or ${c.repository.split('/')[0]} is not a namespace the account may write`,
      ],
      steps: [HUB_PAT],
    }),
    rate_limited: () => ({
      causes: [
        'Docker Hub counts every manifest GET as a pull (a HEAD does not): anonymous clients share a limit per IP ' +
          'address, authenticated personal accounts have a higher one, paid plans none',
      ],
      steps: [
        step('Configure credentials (a personal access token) so pulls count against the account, not the address'),
      ],
    }),
    referrers_unsupported: () => ({
      causes: ['Docker Hub does not offer the referrers API; signatures are found through the tag-schema fallback'],
      steps: [],
    }),
  },
  ghcr: {
    credentials_rejected: (c) => ({
      causes: ['GHCR accepts a personal access token (classic) or GITHUB_TOKEN, not the account password'],
      steps: [GHCR_LOGIN(c)],
    }),
    pull_denied: (c) => ({
      causes: ['The token lacks read:packages, or the package is private to another owner'],
      steps: [GHCR_LOGIN(c), GHCR_ACTIONS],
    }),
    push_denied: (c) => ({
      causes: [
        'The token lacks write:packages (GHCR answers `permission_denied: write_package`)',
        'The workflow token is not in the package\'s "Manage Actions access" list',
      ],
      steps: [GHCR_LOGIN(c), GHCR_ACTIONS],
    }),
    referrers_unsupported: () => ({
      causes: ['GHCR does not offer the referrers API; cosign and oras use the tag-schema fallback there'],
      steps: [],
    }),
  },
  gitlab: {
    credentials_rejected: () => ({
      causes: ['The token has neither read_registry nor write_registry, or the deploy token was revoked or expired'],
      steps: [GITLAB_TOKEN],
    }),
    pull_denied: () => ({
      causes: ['The token lacks read_registry, or its user has no Reporter role in the project'],
      steps: [GITLAB_TOKEN],
    }),
    push_denied: () => ({
      causes: [
        'The token lacks write_registry, or its user has less than the Developer role',
        "CI_JOB_TOKEN may push only to its own project's registry",
      ],
      steps: [GITLAB_TOKEN],
    }),
    referrers_unsupported: () => ({
      causes: [
        'GitLab does not offer the referrers API, and it resolves the fallback tag sha256-<hex> to the subject ' +
          'itself, so a client that trusts the tag sees the image as its own referrer',
      ],
      steps: [],
    }),
  },
  ecr: {
    credentials_rejected: (c) => ({
      causes: [
        'ECR passwords come from aws ecr get-login-password and last 12 hours; the username must be AWS',
        'The password was issued for another AWS account or region',
      ],
      steps: [ECR_LOGIN(c)],
    }),
    credentials_expired: (c) => ({
      causes: [
        'The 12-hour password from aws ecr get-login-password expired: the job that refreshes it stopped or runs ' +
          'too rarely',
      ],
      steps: [ECR_LOGIN(c)],
    }),
    pull_denied: (c) => ({
      causes: [`The IAM identity or the repository policy does not allow ${ECR_PULL_ACTIONS} on ${c.repository}`],
      steps: [step(`Allow ${ECR_PULL_ACTIONS} on ${c.repository} in the IAM policy or the repository policy`)],
    }),
    push_denied: (c) => ({
      causes: [`The IAM identity or the repository policy does not allow ${ECR_PUSH_ACTIONS} on ${c.repository}`],
      steps: [step(`Allow ${ECR_PUSH_ACTIONS} on ${c.repository} in the IAM policy or the repository policy`)],
    }),
    push_repository_missing: (c) => ({
      causes: ['ECR does not create repositories on push (unless a repository creation template says so)'],
      steps: [
        step(
          `Create the repository ${c.repository}`,
          `aws ecr create-repository --repository-name ${c.repository} --region ${ecrRegion(c.host)}`,
        ),
      ],
    }),
  },
  'artifact-registry': {
    credentials_rejected: (c) => ({
      causes: [
        'An oauth2accesstoken password is an access token that lasts 1 hour',
        'A _json_key password must be the whole service-account key file, unchanged',
      ],
      steps: [AR_LOGIN(c)],
    }),
    credentials_expired: (c) => ({
      causes: ['The oauth2accesstoken access token (1 hour) expired'],
      steps: [AR_LOGIN(c)],
    }),
    pull_denied: (c) => ({
      causes: ['The service account lacks roles/artifactregistry.reader on the repository'],
      steps: [AR_BINDING(c, 'roles/artifactregistry.reader')],
    }),
    push_denied: (c) => ({
      causes: [
        'The service account lacks roles/artifactregistry.writer (artifactregistry.repositories.uploadArtifacts)',
      ],
      steps: [AR_BINDING(c, 'roles/artifactregistry.writer')],
    }),
  },
  acr: {
    credentials_rejected: (c) => ({
      causes: [
        'The token from az acr login --expose-token lasts 3 hours and needs username ' +
          '00000000-0000-0000-0000-000000000000',
        'The admin user is disabled, or the service principal secret expired',
      ],
      steps: [ACR_LOGIN(c)],
    }),
    credentials_expired: (c) => ({
      causes: ['The ACR refresh token (3 hours) expired'],
      steps: [ACR_LOGIN(c)],
    }),
    network_forbidden: (c) => ({
      causes: ["The registry's network rules (firewall) do not allow this client's public IP address"],
      steps: [
        step(
          "Allow this machine's public IP address in the registry's network rules",
          `az acr network-rule add --name ${acrName(c.host)} --ip-address <public-ip-of-this-machine>`,
        ),
      ],
    }),
    pull_denied: (c) => ({
      causes: ["The repository-scoped token's scope map lacks content/read, or the identity lacks AcrPull"],
      steps: [ACR_SCOPE_MAP(c, 'content/read')],
    }),
    push_denied: (c) => ({
      causes: ["The repository-scoped token's scope map lacks content/write, or the identity lacks AcrPush"],
      steps: [ACR_SCOPE_MAP(c, 'content/read content/write')],
    }),
  },
  harbor: {
    credentials_rejected: (c) => ({
      causes: [
        ...(c.username !== undefined && /^robot(?!\$)/.test(c.username)
          ? [`The username '${c.username}' has no $ after "robot": the $<name> part was expanded away on the way here`]
          : []),
        HARBOR_ROBOT_CAUSE,
        'The robot account expired or was disabled; OIDC users must use their CLI secret',
      ],
      steps: [
        step(
          "Write robot account names in single quotes wherever a shell or Compose reads them ('robot$project+name'); " +
            'in Harbor, check under Robot Accounts that the account is enabled and not expired',
        ),
      ],
    }),
    pull_denied: (c) => ({
      causes: ['The robot account or member lacks the Pull repository permission in the project'],
      steps: [HARBOR_ROBOT(c, 'Pull repository')],
    }),
    push_denied: (c) => ({
      causes: [
        'The robot account lacks the Push repository permission (Harbor answers 401 "action: push")',
        'The account may push but not pull: a push needs both',
      ],
      steps: [HARBOR_ROBOT(c, 'Push repository and Pull repository')],
    }),
    push_repository_missing: (c) => ({
      causes: [
        `The Harbor project ${c.repository.split('/')[0]} does not exist (Harbor never creates projects on push)`,
      ],
      steps: [step(`Create the project ${c.repository.split('/')[0]} in Harbor, or push to an existing project`)],
    }),
    referrers_unsupported: () => ({
      causes: [
        'Harbor offers the referrers API from 2.8 (with the OCI index content type from 2.11); this one is older',
      ],
      steps: [step('Upgrade Harbor to 2.11 or later')],
    }),
  },
  quay: {
    credentials_rejected: () => ({
      causes: ['A robot account logs in as org+name with its token as the password'],
      steps: [],
    }),
    pull_denied: (c) => ({
      causes: ['The robot account has no Read permission on the repository'],
      steps: [QUAY_ROBOT(c, 'Read')],
    }),
    push_denied: (c) => ({
      causes: ['The robot account has no Write permission on the repository (Quay answers 401, not 403)'],
      steps: [QUAY_ROBOT(c, 'Write')],
    }),
  },
  artifactory: {
    pull_denied: (c) => ({
      causes: ['No permission target gives the user Read on the Docker repository'],
      steps: [ARTIFACTORY_PERMISSION(c, 'Read')],
    }),
    push_denied: (c) => ({
      causes: ['No permission target gives the user Deploy/Cache on the Docker repository'],
      steps: [ARTIFACTORY_PERMISSION(c, 'Deploy/Cache')],
    }),
    push_repository_missing: (c) => ({
      causes: ['The repository key is missing from the path (repository path method: /v2/<repo-key>/<image>)'],
      steps: [ARTIFACTORY_PERMISSION(c, 'Deploy/Cache')],
    }),
  },
  nexus: {
    credentials_rejected: () => ({
      causes: ['"Docker Bearer Token Realm" is not active, so Nexus refuses token logins'],
      steps: [NEXUS_REALM],
    }),
    pull_denied: (c) => ({
      causes: ['The user has no nx-repository-view-docker-<repository>-read privilege'],
      steps: [NEXUS_PRIVILEGE(c, 'read')],
    }),
    push_denied: (c) => ({
      causes: [
        'The user has no nx-repository-view-docker-<repository>-add/-edit privilege',
        'OCI:RegistryUrl points at a group repository, which is read-only',
      ],
      steps: [NEXUS_PRIVILEGE(c, 'add and -edit')],
    }),
  },
  zot: {
    pull_denied: (c) => ({
      causes: ["zot's accessControl policy does not give the user read on the repository"],
      steps: [ZOT_POLICY(c, 'read')],
    }),
    push_denied: (c) => ({
      causes: ["zot's accessControl policy does not give the user create and update on the repository"],
      steps: [ZOT_POLICY(c, 'read, create and update')],
    }),
  },
};

const NONE: Advice = { causes: [], steps: [] };

/** The product's own causes and steps for a situation; none when it documents nothing particular. */
export function productAdvice(product: RegistryProduct, situation: Situation, context: AdviceContext): Advice {
  return ADVICE[product]?.[situation]?.(context) ?? NONE;
}

/** The outcome with the product's causes first and its steps right after the first `after` steps (the reproduction). */
export function withProductAdvice(outcome: CheckOutcome, advice: Advice, after: number): CheckOutcome {
  if (advice.causes.length === 0 && advice.steps.length === 0) return outcome;
  const steps = outcome.remediation ?? [];
  return {
    ...outcome,
    likelyCauses: [...advice.causes, ...(outcome.likelyCauses ?? [])],
    remediation: numbered(steps.slice(0, after), advice.steps, steps.slice(after)),
  };
}

/** The facts of a check that asked about one repository: whom to advise, and its reproduction steps. */
export interface AdvisedFacts extends AdviceContext {
  product: { product: RegistryProduct };
  reproduce: Step[];
}

/** The outcome with the product's advice for the situation, its steps right after the reproduction. */
export function advised(f: AdvisedFacts, situation: Situation, outcome: CheckOutcome): CheckOutcome {
  return withProductAdvice(outcome, productAdvice(f.product.product, situation, f), f.reproduce.length);
}
