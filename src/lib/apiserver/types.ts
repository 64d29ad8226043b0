/**
 * Contracts between the embedded API server's parts: the resource registry (what kinds exist and
 * how they are served), the admission chain (Knative's webhooks plug in here) and the schema
 * validator. The router, store and watch hub only depend on these types.
 */
import type { KubeObject } from '../apis/types.js';

/** How one REST resource is served (one entry per group/version/resource). */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  /** Plural resource name in the URL, e.g. 'services'. */
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Subresources served: 'status' and/or 'scale'. */
  subresources: {
    status?: boolean;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  /** Structural OpenAPI v3 schema of the whole object (CRDs), enforced on writes. */
  schema?: Record<string, unknown>;
  /** CRD additionalPrinterColumns, used for `as=Table` responses. */
  printerColumns?: PrinterColumn[];
  /** Whether strategic-merge-patch is allowed (core/apps kinds only). */
  strategicMerge?: boolean;
  /** For CRD-defined kinds: the CRD's name (plural.group). */
  crdName?: string;
}

/** apiextensions.k8s.io/v1 CustomResourceColumnDefinition. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** The authenticated caller. */
export interface UserInfo {
  username: string;
  /** The service account's uid, for service-account tokens. */
  uid?: string;
  groups: string[];
  /** Extra attributes (the bound pod of a service-account token). */
  extra?: Record<string, string[]>;
}

/** What an admission step sees. `object` may be mutated in place by mutating steps. */
export interface AdmissionRequest {
  operation: AdmissionOperation;
  type: ResourceType;
  namespace?: string;
  name?: string;
  /** '' for the main resource, 'status' or 'scale' for subresources. */
  subresource: string;
  object: KubeObject;
  oldObject?: KubeObject;
  userInfo: UserInfo;
  dryRun: boolean;
  /** Reads another object from the store (e.g. a ConfigMap in knative-serving). */
  lookup(
    group: string,
    resource: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
}

/**
 * One admission step. `mutate` runs first for every plugin (in order), then `validate`.
 * A step rejects by throwing AdmissionError; the server answers 400 BadRequest (or `code`)
 * as a metav1.Status and stores nothing.
 */
export interface AdmissionPlugin {
  name: string;
  matches(req: AdmissionRequest): boolean;
  mutate?(req: AdmissionRequest): void;
  validate?(req: AdmissionRequest): void;
}

/** Thrown by admission steps; becomes a metav1.Status failure. */
export class AdmissionError extends Error {
  constructor(
    message: string,
    readonly code = 400,
    readonly reason = 'BadRequest',
    readonly causes: { field?: string; message: string; reason?: string }[] = [],
  ) {
    super(message);
    this.name = 'AdmissionError';
  }
}
