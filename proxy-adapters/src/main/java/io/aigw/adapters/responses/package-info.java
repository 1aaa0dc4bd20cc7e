/**
 * OpenAI's Responses API as a client API ({@code POST /v1/responses}), carried to chat-only providers
 * as chat completions, and watched on its way through from native ones.
 *
 * <h2>Wire facts this package relies on</h2>
 *
 * From OpenAI's {@code openapi.yaml} ({@code CreateResponse}, {@code Response},
 * {@code ResponseStreamEvent}, {@code ResponseUsage}, {@code ResponseErrorEvent}), and checked against
 * the openai-java SDK 4.101.0 ({@code Response.validate()}, {@code ResponseAccumulator}).
 *
 * <h3>Request ({@code CreateResponse})</h3>
 * <ul>
 *   <li>{@code model}; {@code input}: a string (one user message) or a list of items. Message items have
 *       {@code role} user | assistant | system | developer and {@code content} as a string or parts
 *       ({@code input_text}, {@code input_image} with {@code image_url} or {@code file_id} and
 *       {@code detail}, {@code input_file}; assistant history as {@code output_text} / {@code refusal});
 *       {@code type: "message"} may be omitted (EasyInputMessage). {@code function_call} items
 *       ({@code call_id, name, arguments}, a JSON string) and {@code function_call_output} items
 *       ({@code call_id, output}: a string or input_text parts) carry tool turns; {@code reasoning}
 *       items carry the model's own state; {@code item_reference} points at a stored item.</li>
 *   <li>{@code instructions}: a system/developer message in front of the input. {@code tools}: flat
 *       function tools {@code {type:"function", name, description, parameters, strict}} (not nested
 *       under {@code function} as in chat), or hosted tools (web_search, file_search, computer_use,
 *       mcp, code_interpreter, image_generation, ...). {@code tool_choice}: "auto" | "none" |
 *       "required" | {@code {type:"function", name}} | hosted/allowed_tools forms.</li>
 *   <li>{@code text.format}: {@code {type:"text"}} | {@code {type:"json_object"}} |
 *       {@code {type:"json_schema", name, schema, strict, description}} (flat, not under
 *       {@code json_schema} as in chat); {@code text.verbosity}. {@code reasoning}: {@code {effort,
 *       summary}}. {@code max_output_tokens} (includes reasoning tokens). {@code temperature},
 *       {@code top_p}, {@code parallel_tool_calls}, {@code user}, {@code metadata}, {@code truncation},
 *       {@code include}.</li>
 *   <li>State: {@code store} (default <b>true</b>), {@code previous_response_id}, {@code conversation},
 *       {@code background}, {@code prompt} (a stored template). {@code stream: true}; its
 *       {@code stream_options} has only {@code include_obfuscation}: chat's {@code include_usage} is an
 *       unknown parameter (400). Usage always arrives in the terminal event.</li>
 * </ul>
 *
 * <h3>Response object</h3>
 * Required keys: {@code id} ({@code resp_...}), {@code object:"response"}, {@code created_at} (Unix
 * seconds), {@code error} (null or {@code {code, message}}), {@code incomplete_details} (null or
 * {@code {reason: "max_output_tokens" | "content_filter"}}), {@code instructions}, {@code model},
 * {@code tools}, {@code output}, {@code parallel_tool_calls} (boolean), {@code metadata},
 * {@code tool_choice}, {@code temperature}, {@code top_p}; nullable ones are sent as explicit nulls.
 * Also {@code status}: completed | incomplete | failed | in_progress | queued | cancelled, and
 * {@code usage}. Output items: {@code message} {@code {id:"msg_...", type, status, role:"assistant",
 * content:[{type:"output_text", text, annotations:[], logprobs:[]}]}} (or {@code refusal} parts);
 * {@code function_call} {@code {id:"fc_...", type, status, arguments, call_id, name}}; and
 * {@code reasoning}, hosted-tool items. Usage ({@code ResponseUsage}, all keys required by the SDK):
 * {@code input_tokens}, {@code input_tokens_details:{cached_tokens, cache_write_tokens}},
 * {@code output_tokens}, {@code output_tokens_details:{reasoning_tokens}}, {@code total_tokens}. A
 * deleted response: {@code {id, object:"response", deleted:true}}.
 *
 * <h3>Stream ({@code ResponseStreamEvent})</h3>
 * Each event is {@code event: <type>\ndata: <json>\n\n}; the JSON repeats {@code type} and carries a
 * {@code sequence_number} (0, 1, 2, ... per stream). There is no {@code [DONE]}: the stream ends after
 * {@code response.completed}, {@code response.incomplete}, {@code response.failed} or {@code error}.
 * Order for one message and one call: {@code response.created}, {@code response.in_progress} (both
 * with the Response in_progress, output []); {@code response.output_item.added {output_index, item}}
 * (a message with content [], a function_call with arguments ""); for a message
 * {@code response.content_part.added {item_id, output_index, content_index, part}},
 * {@code response.output_text.delta {item_id, output_index, content_index, delta, logprobs:[]}}*,
 * {@code response.output_text.done {..., text, logprobs:[]}}, {@code response.content_part.done
 * {..., part}}; for a call {@code response.function_call_arguments.delta {item_id, output_index,
 * delta}}*, {@code response.function_call_arguments.done {item_id, output_index, name, arguments}};
 * then {@code response.output_item.done {output_index, item}}; finally {@code response.completed
 * {response}} with the whole output and usage. An item's id is fixed at {@code output_item.added} and
 * named by every later event about it. A failure mid-stream: {@code event: error} with
 * {@code {type:"error", code, message, param, sequence_number}} (all required, code and param
 * nullable).
 *
 * <h3>Errors and items</h3>
 * HTTP errors use OpenAI's {@code {"error":{message, type, param, code}}}.
 * {@code GET /v1/responses/{id}} returns the stored Response ({@code ?stream=true} replays a background
 * one's events), {@code DELETE} removes it, {@code GET .../input_items} lists its input; a response
 * that was never stored (or another provider's) is a 404.
 *
 * <h2>Mapping to chat completions (a chat-only provider)</h2>
 * instructions and system/developer messages become system messages; function_call items join the
 * assistant turn before them as {@code tool_calls}; function_call_output becomes a {@code tool}
 * message; reasoning items are dropped; input_image becomes {@code image_url}; function tools and
 * tool_choice are nested under {@code function}; text.format becomes {@code response_format};
 * reasoning.effort becomes {@code reasoning_effort}; max_output_tokens becomes
 * {@code max_completion_tokens}; a stream asks for {@code include_usage}. Refused (400): store:true,
 * previous_response_id, conversation, background:true, prompt, item_reference, hosted tools and
 * tool_choices, images or files by id or URL where chat has no form. On the way back the chat
 * finish_reason length becomes status incomplete (max_output_tokens), content_filter incomplete
 * (content_filter); a chat {@code refusal} is shown as text.
 */
package io.aigw.adapters.responses;
