export {
  parseBody,
  parseOrThrow,
  parseQuery,
  refusedField,
} from './parseRequest';
export {
  checkedString,
  ENTITY_REF_MAX_LENGTH,
  entityRefProblem,
  entityRefSchema,
  environmentNameProblem,
  environmentNameSchema,
  integerParam,
} from './schemas';
export { loadEntityForCaller } from './loadEntityForCaller';
export type {
  EntityEnvironmentForCaller,
  EntityRequest,
} from './loadEntityForCaller';
