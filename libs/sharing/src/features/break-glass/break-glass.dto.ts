import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Min,
} from 'class-validator';
import { DATA_CATEGORIES, type DataCategory } from '@throughline/domain';
import { JUSTIFICATION_MAX_LENGTH, JUSTIFICATION_MIN_CHARACTERS } from '../../domain/break-glass';

export class BreakGlassRequest {
  // Only the type is checked here: decideClaim holds the rule, for every caller.
  @ApiProperty({
    minLength: JUSTIFICATION_MIN_CHARACTERS,
    maxLength: JUSTIFICATION_MAX_LENGTH,
    description:
      `Why emergency access is needed now; the IG lead reviews it. At least ${JUSTIFICATION_MIN_CHARACTERS} ` +
      'characters that are not whitespace, leading and trailing whitespace trimmed; otherwise 422 naming ' +
      'the rule break-glass-justification',
  })
  @IsString()
  justification!: string;

  @ApiProperty({
    enum: DATA_CATEGORIES,
    isArray: true,
    description:
      "None that a never clause closes to the claimant's agency; otherwise 422 naming the rule break-glass-never and the clause",
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(DATA_CATEGORIES.length)
  @ArrayUnique()
  @IsIn(DATA_CATEGORIES, { each: true })
  categories!: DataCategory[];

  @ApiProperty({ minimum: 1, description: 'At most the partnership limit (breakGlass.maxMinutes)' })
  @IsInt()
  @Min(1)
  minutes!: number;
}
