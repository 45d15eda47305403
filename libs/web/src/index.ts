export * from './web.module';
export { FORM_TYPE, parseFormBody } from './session/form-body';
export { WebExceptionFilter } from './html/web-exception.filter';
