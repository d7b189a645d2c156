/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Who may read a dataset. */
export type AccessLevel =
  /** Only its order's editors and `DATA_MANAGEMENT`. */
  | 'PRIVATE'
  /** The viewers its access rules admit (any one rule admits), its order's editors and `DATA_MANAGEMENT`. */
  | 'PROTECTED'
  /** Everyone, anonymous included (the default). */
  | 'PUBLIC';

/** Who a `PROTECTED` dataset admits; any one rule admits a viewer. */
export type AccessRulesInput = {
  /** Users whose affiliation equals one of these (exact match). */
  affiliations?: Array<string>;
  /** Holders of any of these permissions, implications included (each must be a known permission name). */
  permissions?: Array<string>;
  /** Users whose statistics scope lists one of these values for the column. */
  scope?: Array<ScopeValueInput>;
  /** Users admitted by id (each must exist). */
  users?: Array<string | number>;
};

/** Fields of a collection; on update, omitted fields stay. */
export type CollectionFields = {
  /** External identifiers and links. */
  crossReferences?: Array<CrossReferenceInput> | null | undefined;
  /** Dataset ids (any existing dataset may be added). */
  datasets?: Array<string | number> | null | undefined;
  /** Description (markdown). */
  description?: string | null | undefined;
  /** Editor user ids (at least one; default: the creator). */
  editors?: Array<string | number> | null | undefined;
  /** Standard tags. */
  tagsStandard?: Array<string> | null | undefined;
  /** Free tags. */
  tagsUser?: Array<string> | null | undefined;
  /** Title (trimmed; must not be empty). Required on create. */
  title?: string | null | undefined;
  /** On update: the version last read (compare-and-set). */
  version?: number | null | undefined;
};

/** An external identifier or link. Visible wherever the entry carrying it is visible. */
export type CrossReferenceInput = {
  /** What kind of identifier: `DOI`, `URL`, `ENA`, … (free text). Visible with its entry. */
  kind?: string;
  /** A link (http or https), when there is one. Visible with its entry. */
  url?: string | null | undefined;
  /** The identifier. Visible with its entry. */
  value: string;
};

/** The kind of entry a log entry is about. */
export type DataType =
  /** A collection. */
  | 'COLLECTION'
  /** A dataset. */
  | 'DATASET'
  /** An order. */
  | 'ORDER'
  /** A user. */
  | 'USER';

/** Fields of a dataset; on update, omitted fields stay. */
export type DatasetFields = {
  /** Who may read the dataset (default `PUBLIC`). Set by the order's editors; logged like any change. */
  access?: AccessLevel | null | undefined;
  /** The rules of a `PROTECTED` dataset (replace the stored ones; any one rule admits). */
  accessRules?: AccessRulesInput | null | undefined;
  /** External identifiers and links. */
  crossReferences?: Array<CrossReferenceInput> | null | undefined;
  /** Description (markdown). */
  description?: string | null | undefined;
  /** Standard tags. */
  tagsStandard?: Array<string> | null | undefined;
  /** Free tags. */
  tagsUser?: Array<string> | null | undefined;
  /** Title (trimmed; must not be empty). Required on create. */
  title?: string | null | undefined;
  /** On update: the version last read (compare-and-set). */
  version?: number | null | undefined;
};

/** A frequency table request. */
export type FrequencyTableInput = {
  /** Filters, applied after the caller's scope. */
  filters?: Array<StatsFilterInput>;
  /** Row dimensions (may be empty: one total). */
  groupBy?: Array<string>;
  /** Optional column dimension: one output column per category, then `Total`. */
  valueColumn?: string | null | undefined;
};

/** Narrows a list of datasets or collections. */
export type ListingFilterInput = {
  /** Case-insensitive substring of the title. */
  search?: string | null | undefined;
  /** Standard tags that must all be present. */
  tagsStandard?: Array<string>;
  /** Free tags that must all be present. */
  tagsUser?: Array<string>;
};

/** What a log entry records. */
export type LogAction =
  /** The entry was created. */
  | 'ADD'
  /** The entry was deleted. */
  | 'DELETE'
  /** The entry was changed. */
  | 'EDIT';

/** A means table request. */
export type MeansTableInput = {
  /** Filters, applied after the caller's scope. */
  filters?: Array<StatsFilterInput>;
  /** Row dimensions (may be empty). */
  groupBy?: Array<string>;
  /** Measures (see `statsColumns`). */
  valueColumns: Array<string>;
};

/** Fields of an order. On create, omitted people default to the creator; on update, omitted fields stay. */
export type OrderFields = {
  /** Author user ids. */
  authors?: Array<string | number> | null | undefined;
  /** Description (markdown). */
  description?: string | null | undefined;
  /** Editor user ids (at least one). */
  editors?: Array<string | number> | null | undefined;
  /** Generator user ids. */
  generators?: Array<string | number> | null | undefined;
  /** Organisation user id. */
  organisation?: string | number | null | undefined;
  /** Standard tags (from `standardTags`). */
  tagsStandard?: Array<string> | null | undefined;
  /** Free tags. */
  tagsUser?: Array<string> | null | undefined;
  /** Title (trimmed; must not be empty). Required on create. */
  title?: string | null | undefined;
  /** On update: the version last read; the update is refused with `CONFLICT` if the order changed since. */
  version?: number | null | undefined;
};

/**
 * A permission. Implications are transitive: `DATA_MANAGEMENT` ⇒ `ORDERS`, `OWNERS_READ`;
 * `ORDERS` ⇒ `USER_ADD`, `USER_SEARCH`; `USER_MANAGEMENT` ⇒ `USER_ADD`, `USER_SEARCH`.
 */
export type Permission =
  /** Edit and delete any order, dataset or collection. */
  | 'DATA_MANAGEMENT'
  /** Create orders; edit and delete orders (and their datasets) where listed as editor. */
  | 'ORDERS'
  /** Read owner information (editors, a dataset's order) of every entry. */
  | 'OWNERS_READ'
  /**
   * Query the statistics frame (within the holder's scope, when they have one). Statistics access is
   * granted, never default: without `STATS_READ` or a scope, statistics answer `FORBIDDEN`.
   */
  | 'STATS_READ'
  /** Add users. */
  | 'USER_ADD'
  /** Manage users whose permissions the holder holds too; nobody grants a permission they lack. */
  | 'USER_MANAGEMENT'
  /** List and search users (public profile fields only). */
  | 'USER_SEARCH';

/** A statistics scope filter: the user's statistics only cover rows where `column` is one of `values`. */
export type ScopeFilterInput = {
  /** Frame column. Visible with `User.scope`. */
  column: string;
  /** Allowed values. Visible with `User.scope`. */
  values: Array<string>;
};

/** One value of a statistics scope column, e.g. `{column: "school", value: "Greenwood"}`. */
export type ScopeValueInput = {
  /** Frame column. */
  column: string;
  /** The value. */
  value: string;
};

/** The role of an allowed column. */
export type StatsColumnRole =
  /** Categorical: usable in `groupBy`, `valueColumn` and filters. */
  | 'DIMENSION'
  /** Numeric: usable in `valueColumns`. */
  | 'MEASURE';

/** A membership filter: rows where `column` is one of `values` (one value = equality). */
export type StatsFilterInput = {
  /** An allowed dimension (see `statsColumns`). */
  column: string;
  /** Category labels to keep. */
  values: Array<string>;
};

/** Fields of a user; on update, omitted fields stay and an empty string clears an optional field. */
export type UserFields = {
  /** Affiliation. */
  affiliation?: string | null | undefined;
  /** Login identities `identifier::source` (only `USER_MANAGEMENT`; not in `updateMe`). */
  authIds?: Array<string> | null | undefined;
  /** Contact email (unique). Required on create. */
  email?: string | null | undefined;
  /** Public email. */
  emailPublic?: string | null | undefined;
  /** Name (must not be empty). Required on create. */
  name?: string | null | undefined;
  /** ORCID iD, e.g. `0000-0002-1825-0097` (check digit verified). */
  orcid?: string | null | undefined;
  /** Permissions (only `USER_MANAGEMENT`; not in `updateMe`). */
  permissions?: Array<Permission> | null | undefined;
  /** Statistics scope (only `USER_MANAGEMENT`; not in `updateMe`). */
  scope?: Array<ScopeFilterInput> | null | undefined;
  /** Homepage (http or https). */
  url?: string | null | undefined;
  /** On update: the version last read (compare-and-set). */
  version?: number | null | undefined;
};

/** A wave-change request. */
export type WaveChangeInput = {
  /** Filters; the baseline and follow-up rows must both pass them. */
  filters?: Array<StatsFilterInput>;
  /** Baseline wave (a category of `wave`). */
  fromWave: string;
  /** Row dimensions, taken from the baseline row (`wave` not allowed). */
  groupBy?: Array<string>;
  /** Follow-up wave. */
  toWave: string;
  /** Measures. */
  valueColumns: Array<string>;
};

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, name: string, affiliation: string | null, email: string | null, emailPublic: string | null, orcid: string | null, url: string | null, permissions: Array<Permission> | null, hasApiKey: boolean | null, version: number | null, scope: Array<{ column: string, values: Array<string> }> | null } | null };

export type DatasetsQueryVariables = Exact<{
  filter?: ListingFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type DatasetsQuery = { datasets: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, title: string, tagsStandard: Array<string>, tagsUser: Array<string>, updatedAt: string }> } };

export type CollectionsQueryVariables = Exact<{
  filter?: ListingFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CollectionsQuery = { collections: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, title: string, tagsStandard: Array<string>, tagsUser: Array<string>, updatedAt: string | null, datasets: Array<{ id: string }> }> } };

export type StandardTagsQueryVariables = Exact<{ [key: string]: never; }>;


export type StandardTagsQuery = { standardTags: Array<string> };

export type DatasetQueryVariables = Exact<{
  id: string | number;
}>;


export type DatasetQuery = { dataset: { id: string, title: string, description: string, tagsStandard: Array<string>, tagsUser: Array<string>, createdAt: string, updatedAt: string, version: number, crossReferences: Array<{ kind: string, value: string, url: string | null }>, authors: Array<{ id: string, name: string, affiliation: string | null, orcid: string | null }>, generators: Array<{ id: string, name: string, affiliation: string | null, orcid: string | null }>, organisation: { id: string, name: string, affiliation: string | null } | null, related: Array<{ id: string, title: string }>, collections: Array<{ id: string, title: string }>, editors: Array<{ id: string, name: string, emailPublic: string | null }> | null, order: { id: string, title: string } | null } | null };

export type CollectionQueryVariables = Exact<{
  id: string | number;
}>;


export type CollectionQuery = { collection: { id: string, title: string, description: string, tagsStandard: Array<string>, tagsUser: Array<string>, createdAt: string, updatedAt: string | null, version: number | null, crossReferences: Array<{ kind: string, value: string, url: string | null }>, datasets: Array<{ id: string, title: string, tagsStandard: Array<string> }>, editors: Array<{ id: string, name: string, emailPublic: string | null }> | null } | null };

export type MyOrdersQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type MyOrdersQuery = { orders: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, title: string, updatedAt: string, tagsStandard: Array<string>, datasets: Array<{ id: string, title: string }> }> } };

export type MyCollectionsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type MyCollectionsQuery = { collections: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, title: string, updatedAt: string | null, editors: Array<{ id: string }> | null }> } };

export type OrderQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderQuery = { order: { id: string, title: string, description: string, tagsStandard: Array<string>, tagsUser: Array<string>, version: number, createdAt: string, updatedAt: string, authors: Array<{ id: string, name: string }>, generators: Array<{ id: string, name: string }>, editors: Array<{ id: string, name: string }>, organisation: { id: string, name: string } | null, datasets: Array<{ id: string, title: string }> } | null };

export type CreateOrderMutationVariables = Exact<{
  input: OrderFields;
}>;


export type CreateOrderMutation = { createOrder: { id: string, version: number } };

export type UpdateOrderMutationVariables = Exact<{
  id: string | number;
  input: OrderFields;
}>;


export type UpdateOrderMutation = { updateOrder: { id: string, version: number } };

export type DeleteOrderMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteOrderMutation = { deleteOrder: string };

export type CreateDatasetMutationVariables = Exact<{
  orderId: string | number;
  input: DatasetFields;
}>;


export type CreateDatasetMutation = { createDataset: { id: string } };

export type UpdateDatasetMutationVariables = Exact<{
  id: string | number;
  input: DatasetFields;
}>;


export type UpdateDatasetMutation = { updateDataset: { id: string, version: number } };

export type DeleteDatasetMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteDatasetMutation = { deleteDataset: string };

export type CreateCollectionMutationVariables = Exact<{
  input: CollectionFields;
}>;


export type CreateCollectionMutation = { createCollection: { id: string } };

export type UpdateCollectionMutationVariables = Exact<{
  id: string | number;
  input: CollectionFields;
}>;


export type UpdateCollectionMutation = { updateCollection: { id: string, version: number | null } };

export type DeleteCollectionMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteCollectionMutation = { deleteCollection: string };

export type SearchUsersQueryVariables = Exact<{
  search?: string | null | undefined;
}>;


export type SearchUsersQuery = { users: { nodes: Array<{ id: string, name: string, affiliation: string | null }> } };

export type DatasetLogQueryVariables = Exact<{
  id: string | number;
}>;


export type DatasetLogQuery = { dataset: { id: string, title: string, log: { totalCount: number, nodes: Array<{ id: string, action: LogAction, timestamp: string, actorId: string, comment: string, data: unknown, actor: { id: string, name: string } | null }> } | null } | null };

export type OrderLogQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderLogQuery = { order: { id: string, title: string, log: { totalCount: number, nodes: Array<{ id: string, action: LogAction, timestamp: string, actorId: string, comment: string, data: unknown, actor: { id: string, name: string } | null }> } | null } | null };

export type CollectionLogQueryVariables = Exact<{
  id: string | number;
}>;


export type CollectionLogQuery = { collection: { id: string, title: string, log: { totalCount: number, nodes: Array<{ id: string, action: LogAction, timestamp: string, actorId: string, comment: string, data: unknown, actor: { id: string, name: string } | null }> } | null } | null };

export type UserLogQueryVariables = Exact<{
  id: string | number;
}>;


export type UserLogQuery = { user: { id: string, title: string, log: { totalCount: number, nodes: Array<{ id: string, action: LogAction, timestamp: string, actorId: string, comment: string, data: unknown, actor: { id: string, name: string } | null }> } | null } | null };

export type UpdateMeMutationVariables = Exact<{
  input: UserFields;
}>;


export type UpdateMeMutation = { updateMe: { id: string, version: number | null } };

export type GenerateApiKeyMutationVariables = Exact<{
  userId?: string | number | null | undefined;
}>;


export type GenerateApiKeyMutation = { generateApiKey: { userId: string, apiKey: string } };

export type MyActionsQueryVariables = Exact<{ [key: string]: never; }>;


export type MyActionsQuery = { me: { id: string, actions: { totalCount: number, nodes: Array<{ id: string, action: LogAction, timestamp: string, dataType: DataType, entityId: string, comment: string }> } | null } | null };

export type StatsColumnsQueryVariables = Exact<{ [key: string]: never; }>;


export type StatsColumnsQuery = { statsColumns: Array<{ name: string, role: StatsColumnRole, categories: Array<string> }> };

export type FrequencyTableQueryVariables = Exact<{
  input: FrequencyTableInput;
}>;


export type FrequencyTableQuery = { frequencyTable: { groupColumns: Array<string>, columns: Array<string>, rows: Array<{ groups: Array<string>, cells: Array<number | null> }>, suppressed: Array<{ row: number, column: string }> } };

export type MeansTableQueryVariables = Exact<{
  input: MeansTableInput;
}>;


export type MeansTableQuery = { meansTable: { groupColumns: Array<string>, columns: Array<string>, rows: Array<{ groups: Array<string>, cells: Array<number | null> }>, suppressed: Array<{ row: number, column: string }> } };

export type WaveChangeQueryVariables = Exact<{
  input: WaveChangeInput;
}>;


export type WaveChangeQuery = { waveChange: { groupColumns: Array<string>, columns: Array<string>, rows: Array<{ groups: Array<string>, cells: Array<number | null> }>, suppressed: Array<{ row: number, column: string }> } };

export type AdminUsersQueryVariables = Exact<{
  search?: string | null | undefined;
  after?: string | null | undefined;
}>;


export type AdminUsersQuery = { users: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string, email: string | null, affiliation: string | null, permissions: Array<Permission> | null, hasApiKey: boolean | null, version: number | null, authIds: Array<string> | null, scope: Array<{ column: string, values: Array<string> }> | null }> } };

export type CreateUserMutationVariables = Exact<{
  input: UserFields;
}>;


export type CreateUserMutation = { createUser: { id: string } };

export type UpdateUserMutationVariables = Exact<{
  id: string | number;
  input: UserFields;
}>;


export type UpdateUserMutation = { updateUser: { id: string, version: number | null } };

export type AddStandardTagMutationVariables = Exact<{
  tag: string;
  description: string;
}>;


export type AddStandardTagMutation = { addStandardTag: string };

export type RemoveStandardTagMutationVariables = Exact<{
  tag: string;
}>;


export type RemoveStandardTagMutation = { removeStandardTag: string };

export type StatsStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type StatsStatusQuery = { statsStatus: { loadedAt: string | null, source: string | null, checksum: string | null, rows: number, students: number, waves: Array<string>, lastError: string | null, lastErrorAt: string | null, lastScopeDenial: string | null, lastScopeDenialAt: string | null } };

export type ReloadStatsFrameMutationVariables = Exact<{ [key: string]: never; }>;


export type ReloadStatsFrameMutation = { reloadStatsFrame: { loadedAt: string | null, source: string | null, checksum: string | null, rows: number, students: number, waves: Array<string>, lastError: string | null, lastErrorAt: string | null, lastScopeDenial: string | null, lastScopeDenialAt: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    id
    name
    affiliation
    email
    emailPublic
    orcid
    url
    permissions
    hasApiKey
    version
    scope {
      column
      values
    }
  }
}
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const DatasetsDocument = new TypedDocumentString(`
    query Datasets($filter: ListingFilterInput, $first: Int, $after: String) {
  datasets(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      title
      tagsStandard
      tagsUser
      updatedAt
    }
  }
}
    `) as unknown as TypedDocumentString<DatasetsQuery, DatasetsQueryVariables>;
export const CollectionsDocument = new TypedDocumentString(`
    query Collections($filter: ListingFilterInput, $first: Int, $after: String) {
  collections(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      title
      tagsStandard
      tagsUser
      updatedAt
      datasets {
        id
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CollectionsQuery, CollectionsQueryVariables>;
export const StandardTagsDocument = new TypedDocumentString(`
    query StandardTags {
  standardTags
}
    `) as unknown as TypedDocumentString<StandardTagsQuery, StandardTagsQueryVariables>;
export const DatasetDocument = new TypedDocumentString(`
    query Dataset($id: ID!) {
  dataset(id: $id) {
    id
    title
    description
    tagsStandard
    tagsUser
    createdAt
    updatedAt
    version
    crossReferences {
      kind
      value
      url
    }
    authors {
      id
      name
      affiliation
      orcid
    }
    generators {
      id
      name
      affiliation
      orcid
    }
    organisation {
      id
      name
      affiliation
    }
    related {
      id
      title
    }
    collections {
      id
      title
    }
    editors {
      id
      name
      emailPublic
    }
    order {
      id
      title
    }
  }
}
    `) as unknown as TypedDocumentString<DatasetQuery, DatasetQueryVariables>;
export const CollectionDocument = new TypedDocumentString(`
    query Collection($id: ID!) {
  collection(id: $id) {
    id
    title
    description
    tagsStandard
    tagsUser
    createdAt
    updatedAt
    version
    crossReferences {
      kind
      value
      url
    }
    datasets {
      id
      title
      tagsStandard
    }
    editors {
      id
      name
      emailPublic
    }
  }
}
    `) as unknown as TypedDocumentString<CollectionQuery, CollectionQueryVariables>;
export const MyOrdersDocument = new TypedDocumentString(`
    query MyOrders($after: String) {
  orders(first: 50, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      title
      updatedAt
      tagsStandard
      datasets {
        id
        title
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MyOrdersQuery, MyOrdersQueryVariables>;
export const MyCollectionsDocument = new TypedDocumentString(`
    query MyCollections($after: String) {
  collections(first: 100, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      title
      updatedAt
      editors {
        id
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MyCollectionsQuery, MyCollectionsQueryVariables>;
export const OrderDocument = new TypedDocumentString(`
    query Order($id: ID!) {
  order(id: $id) {
    id
    title
    description
    tagsStandard
    tagsUser
    version
    createdAt
    updatedAt
    authors {
      id
      name
    }
    generators {
      id
      name
    }
    editors {
      id
      name
    }
    organisation {
      id
      name
    }
    datasets {
      id
      title
    }
  }
}
    `) as unknown as TypedDocumentString<OrderQuery, OrderQueryVariables>;
export const CreateOrderDocument = new TypedDocumentString(`
    mutation CreateOrder($input: OrderFields!) {
  createOrder(input: $input) {
    id
    version
  }
}
    `) as unknown as TypedDocumentString<CreateOrderMutation, CreateOrderMutationVariables>;
export const UpdateOrderDocument = new TypedDocumentString(`
    mutation UpdateOrder($id: ID!, $input: OrderFields!) {
  updateOrder(id: $id, input: $input) {
    id
    version
  }
}
    `) as unknown as TypedDocumentString<UpdateOrderMutation, UpdateOrderMutationVariables>;
export const DeleteOrderDocument = new TypedDocumentString(`
    mutation DeleteOrder($id: ID!) {
  deleteOrder(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteOrderMutation, DeleteOrderMutationVariables>;
export const CreateDatasetDocument = new TypedDocumentString(`
    mutation CreateDataset($orderId: ID!, $input: DatasetFields!) {
  createDataset(orderId: $orderId, input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<CreateDatasetMutation, CreateDatasetMutationVariables>;
export const UpdateDatasetDocument = new TypedDocumentString(`
    mutation UpdateDataset($id: ID!, $input: DatasetFields!) {
  updateDataset(id: $id, input: $input) {
    id
    version
  }
}
    `) as unknown as TypedDocumentString<UpdateDatasetMutation, UpdateDatasetMutationVariables>;
export const DeleteDatasetDocument = new TypedDocumentString(`
    mutation DeleteDataset($id: ID!) {
  deleteDataset(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteDatasetMutation, DeleteDatasetMutationVariables>;
export const CreateCollectionDocument = new TypedDocumentString(`
    mutation CreateCollection($input: CollectionFields!) {
  createCollection(input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<CreateCollectionMutation, CreateCollectionMutationVariables>;
export const UpdateCollectionDocument = new TypedDocumentString(`
    mutation UpdateCollection($id: ID!, $input: CollectionFields!) {
  updateCollection(id: $id, input: $input) {
    id
    version
  }
}
    `) as unknown as TypedDocumentString<UpdateCollectionMutation, UpdateCollectionMutationVariables>;
export const DeleteCollectionDocument = new TypedDocumentString(`
    mutation DeleteCollection($id: ID!) {
  deleteCollection(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteCollectionMutation, DeleteCollectionMutationVariables>;
export const SearchUsersDocument = new TypedDocumentString(`
    query SearchUsers($search: String) {
  users(search: $search, first: 10) {
    nodes {
      id
      name
      affiliation
    }
  }
}
    `) as unknown as TypedDocumentString<SearchUsersQuery, SearchUsersQueryVariables>;
export const DatasetLogDocument = new TypedDocumentString(`
    query DatasetLog($id: ID!) {
  dataset(id: $id) {
    id
    title
    log(first: 100) {
      totalCount
      nodes {
        id
        action
        timestamp
        actorId
        comment
        data
        actor {
          id
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DatasetLogQuery, DatasetLogQueryVariables>;
export const OrderLogDocument = new TypedDocumentString(`
    query OrderLog($id: ID!) {
  order(id: $id) {
    id
    title
    log(first: 100) {
      totalCount
      nodes {
        id
        action
        timestamp
        actorId
        comment
        data
        actor {
          id
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<OrderLogQuery, OrderLogQueryVariables>;
export const CollectionLogDocument = new TypedDocumentString(`
    query CollectionLog($id: ID!) {
  collection(id: $id) {
    id
    title
    log(first: 100) {
      totalCount
      nodes {
        id
        action
        timestamp
        actorId
        comment
        data
        actor {
          id
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CollectionLogQuery, CollectionLogQueryVariables>;
export const UserLogDocument = new TypedDocumentString(`
    query UserLog($id: ID!) {
  user(id: $id) {
    id
    title: name
    log(first: 100) {
      totalCount
      nodes {
        id
        action
        timestamp
        actorId
        comment
        data
        actor {
          id
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<UserLogQuery, UserLogQueryVariables>;
export const UpdateMeDocument = new TypedDocumentString(`
    mutation UpdateMe($input: UserFields!) {
  updateMe(input: $input) {
    id
    version
  }
}
    `) as unknown as TypedDocumentString<UpdateMeMutation, UpdateMeMutationVariables>;
export const GenerateApiKeyDocument = new TypedDocumentString(`
    mutation GenerateApiKey($userId: ID) {
  generateApiKey(userId: $userId) {
    userId
    apiKey
  }
}
    `) as unknown as TypedDocumentString<GenerateApiKeyMutation, GenerateApiKeyMutationVariables>;
export const MyActionsDocument = new TypedDocumentString(`
    query MyActions {
  me {
    id
    actions(first: 100) {
      totalCount
      nodes {
        id
        action
        timestamp
        dataType
        entityId
        comment
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MyActionsQuery, MyActionsQueryVariables>;
export const StatsColumnsDocument = new TypedDocumentString(`
    query StatsColumns {
  statsColumns {
    name
    role
    categories
  }
}
    `) as unknown as TypedDocumentString<StatsColumnsQuery, StatsColumnsQueryVariables>;
export const FrequencyTableDocument = new TypedDocumentString(`
    query FrequencyTable($input: FrequencyTableInput!) {
  frequencyTable(input: $input) {
    groupColumns
    columns
    rows {
      groups
      cells
    }
    suppressed {
      row
      column
    }
  }
}
    `) as unknown as TypedDocumentString<FrequencyTableQuery, FrequencyTableQueryVariables>;
export const MeansTableDocument = new TypedDocumentString(`
    query MeansTable($input: MeansTableInput!) {
  meansTable(input: $input) {
    groupColumns
    columns
    rows {
      groups
      cells
    }
    suppressed {
      row
      column
    }
  }
}
    `) as unknown as TypedDocumentString<MeansTableQuery, MeansTableQueryVariables>;
export const WaveChangeDocument = new TypedDocumentString(`
    query WaveChange($input: WaveChangeInput!) {
  waveChange(input: $input) {
    groupColumns
    columns
    rows {
      groups
      cells
    }
    suppressed {
      row
      column
    }
  }
}
    `) as unknown as TypedDocumentString<WaveChangeQuery, WaveChangeQueryVariables>;
export const AdminUsersDocument = new TypedDocumentString(`
    query AdminUsers($search: String, $after: String) {
  users(search: $search, first: 50, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      name
      email
      affiliation
      permissions
      hasApiKey
      version
      authIds
      scope {
        column
        values
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AdminUsersQuery, AdminUsersQueryVariables>;
export const CreateUserDocument = new TypedDocumentString(`
    mutation CreateUser($input: UserFields!) {
  createUser(input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<CreateUserMutation, CreateUserMutationVariables>;
export const UpdateUserDocument = new TypedDocumentString(`
    mutation UpdateUser($id: ID!, $input: UserFields!) {
  updateUser(id: $id, input: $input) {
    id
    version
  }
}
    `) as unknown as TypedDocumentString<UpdateUserMutation, UpdateUserMutationVariables>;
export const AddStandardTagDocument = new TypedDocumentString(`
    mutation AddStandardTag($tag: String!, $description: String!) {
  addStandardTag(tag: $tag, description: $description)
}
    `) as unknown as TypedDocumentString<AddStandardTagMutation, AddStandardTagMutationVariables>;
export const RemoveStandardTagDocument = new TypedDocumentString(`
    mutation RemoveStandardTag($tag: String!) {
  removeStandardTag(tag: $tag)
}
    `) as unknown as TypedDocumentString<RemoveStandardTagMutation, RemoveStandardTagMutationVariables>;
export const StatsStatusDocument = new TypedDocumentString(`
    query StatsStatus {
  statsStatus {
    loadedAt
    source
    checksum
    rows
    students
    waves
    lastError
    lastErrorAt
    lastScopeDenial
    lastScopeDenialAt
  }
}
    `) as unknown as TypedDocumentString<StatsStatusQuery, StatsStatusQueryVariables>;
export const ReloadStatsFrameDocument = new TypedDocumentString(`
    mutation ReloadStatsFrame {
  reloadStatsFrame {
    loadedAt
    source
    checksum
    rows
    students
    waves
    lastError
    lastErrorAt
    lastScopeDenial
    lastScopeDenialAt
  }
}
    `) as unknown as TypedDocumentString<ReloadStatsFrameMutation, ReloadStatsFrameMutationVariables>;