export { parseBody, parseQuery, refusedField } from './parseRequest';
export {
  checkedString,
  ENTITY_REF_MAX_LENGTH,
  entityRefProblem,
  entityRefSchema,
  environmentNameSchema,
  integerParam,
} from './schemas';
